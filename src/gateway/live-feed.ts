// LiveFeed: this node's ordered view of committed signals. It hands sessions every signal exactly
// once and strictly by seq, whatever the bus does: bus messages only say "these are committed";
// any gap (lost, late or reordered bus message, bus outage, another node that crashed between commit
// and publish) is read from the store. Because seq order is commit order (store invariant 1), when
// seq N is committed every seq below N is too, so reading the gap always finds it whole.
import type { Bus } from '../bus/bus.js';
import type { Signal } from '../domain/signal.js';
import type { EventStore } from '../store/event-store.js';

export interface LiveFeedOptions {
  /** How often to look in the store for signals a healthy bus did not bring (the safety net). */
  catchUpMs: number;
  pageSize: number;
  /** Bus messages held while a gap is repaired; beyond this they are dropped and re-read later. */
  maxPending?: number;
  onError?(err: unknown): void;
  onGapRepaired?(count: number): void;
}

export class LiveFeed {
  /** Highest seq handed to sessions; every seq at or below it has been handed out, in order. */
  lastSeq = 0;
  private readonly pending = new Map<number, Signal>();
  private pumping: Promise<void> | undefined;
  /** The last store read found signals the bus had not brought: poll fast until one finds none. */
  private busMissed = false;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly bus: Bus,
    private readonly deliver: (signal: Signal) => void,
    private readonly opts: LiveFeedOptions,
  ) {}

  async start(): Promise<void> {
    // Position first, then listen: anything committed in between is found by the next poll.
    this.lastSeq = await this.store.lastSeq();
    this.unsubscribe = this.bus.subscribe((signals) => this.onBus(signals));
    // While the bus is down the store is the only source: poll it several times a second, so a bus
    // outage costs a few hundred milliseconds of latency. Likewise while the last read found signals
    // the bus did not bring although it looks healthy here (another node's publisher cannot reach
    // it yet, or its breaker is still open after an outage). Otherwise a slow safety-net poll.
    const tick = Math.min(this.opts.catchUpMs, 200);
    let lastPoll = Number.NEGATIVE_INFINITY;
    this.timer = setInterval(() => {
      const now = performance.now(); // monotonic: a wall-clock step must not stop the safety-net poll
      if (this.bus.healthy() && !this.busMissed && now - lastPoll < this.opts.catchUpMs) return;
      lastPoll = now;
      void this.pump(true);
    }, tick);
    this.timer.unref();
  }

  stop(): void {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Delivers everything committed so far (used before draining sessions on shutdown). */
  async catchUp(): Promise<void> {
    await this.pumping;
    await this.pump(true);
  }

  private onBus(signals: Signal[]): void {
    const max = this.opts.maxPending ?? 10_000;
    for (const s of signals) {
      if (s.seq <= this.lastSeq || this.pending.size >= max) continue;
      this.pending.set(s.seq, s);
    }
    this.drainPending();
    void this.pump(false);
  }

  /** Hands out the in-order prefix of what the bus brought. Synchronous: no seq can interleave. */
  private drainPending(): void {
    for (;;) {
      const next = this.pending.get(this.lastSeq + 1);
      if (!next) break;
      this.pending.delete(next.seq);
      this.emit(next);
    }
    for (const seq of this.pending.keys()) if (seq <= this.lastSeq) this.pending.delete(seq);
  }

  private emit(s: Signal): void {
    if (s.seq !== this.lastSeq + 1) return;
    this.lastSeq = s.seq;
    this.deliver(s);
  }

  /** One reader at a time: reads from the store until the gap (or, when polling, the tail) is closed. */
  private pump(poll: boolean): Promise<void> {
    if (this.pumping) return this.pumping;
    if (!poll && this.pending.size === 0) return Promise.resolve();
    this.pumping = (async () => {
      let repaired = 0;
      try {
        for (;;) {
          // With bus messages waiting, read only up to them: the bus already brought the rest.
          const upto = this.pending.size > 0 ? Math.min(...this.pending.keys()) - 1 : undefined;
          const before = this.lastSeq;
          const rows = await this.store.read({ afterSeq: before, uptoSeq: upto, limit: this.opts.pageSize });
          for (const s of rows) this.emit(s);
          this.drainPending();
          repaired += this.lastSeq - before;
          if (rows.length === this.opts.pageSize) continue;
          if (this.pending.size > 0 && this.lastSeq > before) continue;
          break;
        }
        this.busMissed = repaired > 0;
      } catch (err) {
        this.opts.onError?.(err);
      } finally {
        this.pumping = undefined;
        if (repaired > 0) this.opts.onGapRepaired?.(repaired);
      }
    })();
    return this.pumping;
  }
}
