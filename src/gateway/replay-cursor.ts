// ReplayCursor: one subscription's position in the stream, and the switch from replay to live.
//
// The rule that makes a resume exactly once and in order: replay reads committed signals from the
// store in pages, up to the live position (the LiveFeed's lastSeq at that moment); when a check
// finds the cursor caught up, it turns live in the same synchronous step, so no live signal can be
// handed out between the check and the switch. Live, it takes only signals above its position.
// Signals committed during replay are not buffered: the next page reads them from the store.
import type { Signal } from '../domain/signal.js';

export interface ReplaySource {
  /** Highest seq the live side has handed out; every seq at or below it is committed. */
  readonly lastSeq: number;
  /** Committed signals in (afterSeq, uptoSeq], ascending, at most `limit`, already filtered. */
  read(afterSeq: number, uptoSeq: number, limit: number): Promise<Signal[]>;
}

export class ReplayCursor {
  private isLive = false;

  /** @param position the seq up to which the subscriber has seen the stream */
  constructor(
    private readonly source: ReplaySource,
    public position: number,
    private readonly pageSize: number,
  ) {}

  /** A cursor that starts at the live position: nothing to replay. */
  static live(source: ReplaySource, pageSize: number): ReplayCursor {
    const cursor = new ReplayCursor(source, source.lastSeq, pageSize);
    cursor.isLive = true;
    return cursor;
  }

  get live(): boolean {
    return this.isLive;
  }

  /**
   * A signal from the live side: true when the subscriber has not seen it (the cursor is live and
   * the seq is above its position), which also moves the position to it. Matching the subscriber's
   * filter is the caller's business: a non-matching signal still moves the position.
   */
  accept(signal: Signal): boolean {
    if (!this.isLive || signal.seq <= this.position) return false;
    this.position = signal.seq;
    return true;
  }

  /**
   * The replay, one page at a time; the caller sends each page before asking for the next (that is
   * its pacing). Ends when caught up, with the cursor live. A caller that stops early leaves the
   * cursor replaying (a superseded subscription).
   */
  async *pages(): AsyncGenerator<Signal[]> {
    for (;;) {
      const upto = this.source.lastSeq;
      if (this.position >= upto) {
        // Synchronous with the check: the live side cannot advance in between.
        this.isLive = true;
        return;
      }
      const rows = await this.source.read(this.position, upto, this.pageSize);
      yield rows;
      const last = rows[rows.length - 1];
      this.position = rows.length === this.pageSize && last ? last.seq : upto;
    }
  }
}
