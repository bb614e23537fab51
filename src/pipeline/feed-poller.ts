// Polls one configured feed: first poll at start, then every interval, only while this node holds
// the feed's lease (at most one node polls a feed; another takes over when the lease expires). A
// poll reads each URL of the feed (one per SEC form type) through the guarded FeedSource, parses
// and normalises inside that call, and hands the items to the ItemProcessor.
import type { FeedConfig } from '../config/pipeline.js';
import { parseFeed } from './feeds/parse-feed.js';
import type { FeedState, PipelineLedger } from './ledger.js';
import type { FetchedItem, ItemProcessor } from './item-processor.js';
import { normalize } from './normalize.js';
import type { FeedSource } from './ports.js';
import type { SecTickers } from './sec-tickers-source.js';

/** The `outcome` label of catalyst_feed_polls_total; `skipped`: another node holds the feed's lease. */
export const POLL_OUTCOMES = [
  'ok',
  'not_modified',
  'error',
  'blocked',
  'truncated',
  'too_large',
  'skipped',
] as const;
export type PollOutcome = (typeof POLL_OUTCOMES)[number];

export interface PollerDeps {
  source: FeedSource;
  ledger: PipelineLedger;
  processor: ItemProcessor;
  secTickers: SecTickers;
  /** This node's lease identity. */
  holder: string;
  /** Lease length; renewed every third of it, so a dead holder is replaced within one lease. */
  leaseMs: number;
  onPoll?(feed: string, outcome: PollOutcome, at: number): void;
  /** The state of the breaker guarding the feed's host on this node, for the admin view. */
  breaker?(): FeedState['breaker'];
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  now?: () => number;
}

/** The outcome label of a failed poll: what the error's `reason` says, else `error`. */
export function pollOutcome(err: unknown): PollOutcome {
  const seen = new Set<unknown>();
  for (let e: unknown = err; e && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const reason = (e as { reason?: unknown }).reason;
    if (reason === 'blocked' || reason === 'forbidden') return 'blocked';
    if (reason === 'truncated' || reason === 'too_large') return reason;
  }
  return 'error';
}

/**
 * The error's message with its innermost cause's: the guard's wrapper alone ("Dependency feed:host
 * is unavailable (failed)") would not tell an operator a block page from a truncated document.
 */
export function errorLine(err: unknown): string {
  const seen = new Set<unknown>();
  let inner = err;
  for (let e: unknown = err; e && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    inner = e;
  }
  const outer = (err as Error).message;
  const root = (inner as Error).message;
  return root && root !== outer ? `${outer}: ${root}` : outer;
}

/** The URLs one poll reads: SEC's getcurrent once per form type (`type` is a prefix match there). */
export function feedUrls(feed: FeedConfig): string[] {
  if (feed.kind !== 'sec_edgar') return [feed.url];
  return feed.forms.map((form) => {
    const u = new URL(feed.url);
    u.searchParams.set('action', 'getcurrent');
    u.searchParams.set('type', form);
    if (!u.searchParams.has('count')) u.searchParams.set('count', '40');
    if (!u.searchParams.has('output')) u.searchParams.set('output', 'atom');
    return u.toString();
  });
}

export class FeedPoller {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private polling: Promise<void> | undefined;
  private lastPollAt = 0;
  private holding = false;
  private readonly now: () => number;
  readonly state: FeedState;

  constructor(
    private readonly feed: FeedConfig,
    private readonly deps: PollerDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.state = {
      name: feed.name,
      kind: feed.kind,
      url: feed.url,
      last_poll_at: null,
      last_success_at: null,
      last_error: null,
      last_items: 0,
      new_items: 0,
      polled_by: null,
      breaker: null,
    };
  }

  start(): void {
    void this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.polling;
    if (this.holding)
      await this.deps.ledger.releaseLease(this.feed.name, this.deps.holder).catch(() => undefined);
  }

  /** Renews the lease; polls when it holds it and the interval has passed. */
  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      this.holding = await this.deps.ledger.lease(this.feed.name, this.deps.holder, this.deps.leaseMs);
      if (this.holding && this.now() - this.lastPollAt >= this.feed.intervalMs) {
        // A poll can outlast the lease (a hanging upstream, retries): renewing only between polls
        // would let another node poll the same feed at once. Renewed while this node lives.
        const renew = setInterval(() => void this.renew(), this.deps.leaseMs / 3);
        renew.unref();
        this.polling = this.poll().finally(() => clearInterval(renew));
        await this.polling;
      } else if (!this.holding) this.deps.onPoll?.(this.feed.name, 'skipped', this.now());
    } catch (err) {
      this.deps.log.warn(
        { err, feed: this.feed.name },
        'feed lease could not be renewed (store unavailable?)',
      );
    }
    if (this.stopped) return;
    const wait = Math.min(
      this.deps.leaseMs / 3,
      Math.max(50, this.lastPollAt + this.feed.intervalMs - this.now()),
    );
    this.timer = setTimeout(() => void this.tick(), wait);
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    try {
      this.holding = await this.deps.ledger.lease(this.feed.name, this.deps.holder, this.deps.leaseMs);
    } catch (err) {
      this.deps.log.warn({ err, feed: this.feed.name }, 'feed lease could not be renewed during a poll');
    }
  }

  /** One poll of every URL of the feed. Never throws: the outcome is recorded. */
  async poll(): Promise<void> {
    const started = this.now();
    this.lastPollAt = started;
    this.state.last_poll_at = new Date(started).toISOString();
    this.state.polled_by = this.deps.holder;
    let outcome: PollOutcome = 'not_modified';
    let count = 0;
    try {
      const cikTickers = this.feed.kind === 'sec_edgar' ? await this.deps.secTickers.current() : undefined;
      const fetchedAt = new Date(this.now());
      const batch: FetchedItem[] = [];
      for (const url of feedUrls(this.feed)) {
        const r = await this.deps.source.read(url, (body) =>
          parseFeed(this.feed.kind, body, this.feed.name, { forms: this.feed.forms, cikTickers }).map((raw) =>
            normalize(raw, { fetchedAt, ...(cikTickers ? { cikTickers } : {}) }),
          ),
        );
        if (r.notModified) continue;
        outcome = 'ok';
        for (const item of r.value) batch.push({ item, fetchedAt: fetchedAt.toISOString() });
      }
      // SEC per-form requests can list one filing twice (a 424B2 under type=4 and type=424B2).
      const unique = [...new Map(batch.map((b) => [b.item.id, b])).values()];
      count = unique.length;
      try {
        this.state.new_items += await this.deps.processor.process(unique);
      } catch (err) {
        // Read but not judged (the store is down): the next poll must get these items again.
        for (const url of feedUrls(this.feed)) this.deps.source.forget(url);
        throw err;
      }
      this.state.last_success_at = new Date(this.now()).toISOString();
      this.state.last_items = count;
      this.state.last_error = null;
    } catch (err) {
      outcome = pollOutcome(err);
      this.state.last_error = {
        message: errorLine(err).slice(0, 300),
        at: new Date(this.now()).toISOString(),
      };
      this.deps.log.warn({ err, feed: this.feed.name, outcome }, 'feed poll failed');
    }
    this.state.breaker = this.deps.breaker?.() ?? null;
    this.deps.onPoll?.(this.feed.name, outcome, this.now());
    await this.deps.ledger.saveFeed({ ...this.state }).catch(() => undefined);
  }
}
