// The pipeline role: one FeedPoller per configured feed, one ItemProcessor they share, and the
// retry of items that wait for the store. Built by main.ts from guarded ports.
import type { FeedConfig } from '../config/pipeline.js';
import { FeedPoller, type PollerDeps } from './feed-poller.js';
import type { ItemProcessor } from './item-processor.js';
import type { FeedState } from './ledger.js';

export interface RunnerOptions {
  feeds: FeedConfig[];
  processor: ItemProcessor;
  /** Poller dependencies for one feed (each feed has its own source). */
  pollerDeps(feed: FeedConfig): Omit<PollerDeps, 'processor'>;
  retryEveryMs?: number;
}

export class PipelineRunner {
  private readonly pollers: FeedPoller[];
  private retryTimer: NodeJS.Timeout | undefined;
  private retrying = false;

  constructor(private readonly opts: RunnerOptions) {
    this.pollers = opts.feeds.map(
      (f) => new FeedPoller(f, { ...opts.pollerDeps(f), processor: opts.processor }),
    );
  }

  start(): void {
    for (const p of this.pollers) p.start();
    this.retryTimer = setInterval(() => {
      if (this.retrying || this.opts.processor.waitingCount === 0) return;
      this.retrying = true;
      void this.opts.processor
        .retryWaiting()
        .catch(() => undefined)
        .finally(() => (this.retrying = false));
    }, this.opts.retryEveryMs ?? 2000);
    this.retryTimer.unref();
  }

  /** This node's view of its feeds (the ledger has every node's). */
  feeds(): FeedState[] {
    return this.pollers.map((p) => ({ ...p.state }));
  }

  async stop(): Promise<void> {
    clearInterval(this.retryTimer);
    await Promise.all(this.pollers.map((p) => p.stop()));
  }
}
