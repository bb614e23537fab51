// Releases actions in FIFO order, each no earlier than its time: the one mechanism behind every toxic that
import { type Attributes, PassThroughRunner, type Piece, type RunnerContext } from './runner.js';
// holds data back, so order is kept even when a later piece is due before an earlier one.
interface Entry {
  at: number;
  run: () => void;
}

export class DelayQueue {
  private entries: Entry[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  get idle(): boolean {
    return this.head >= this.entries.length;
  }

  add(at: number, run: () => void): void {
    this.entries.push({ at, run });
    if (this.entries.length - this.head === 1) this.release();
  }

  /** Runs everything now, in order (the toxic is leaving). */
  flush(): void {
    this.clearTimer();
    while (!this.idle) this.next().run();
    this.compact();
  }

  dispose(): void {
    this.clearTimer();
    this.entries = [];
    this.head = 0;
  }

  private release = (): void => {
    this.timer = undefined;
    // Timers fire on whole milliseconds; anything due within one is due now rather than re-armed.
    while (!this.idle && (this.entries[this.head] as Entry).at <= performance.now() + 0.5) this.next().run();
    this.compact();
    if (!this.idle && this.timer === undefined) {
      const wait = (this.entries[this.head] as Entry).at - performance.now();
      this.timer = setTimeout(this.release, Math.max(1, Math.round(wait)));
    }
  };

  private next(): Entry {
    const entry = this.entries[this.head] as Entry;
    this.head += 1;
    return entry;
  }

  private compact(): void {
    if (this.head > 1024 || this.idle) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** A runner whose output all goes through one DelayQueue, so its end is released behind its data. */
export abstract class QueuedRunner extends PassThroughRunner {
  protected readonly queue = new DelayQueue();
  /** When the last queued piece leaves: pieces that find the runner busy start from here. */
  protected busyUntil = 0;
  constructor(
    ctx: RunnerContext,
    protected attributes: Attributes,
  ) {
    super(ctx);
  }
  protected startTime(): number {
    return Math.max(performance.now(), this.busyUntil);
  }
  protected later(at: number, piece: Piece): void {
    this.queue.add(at, () => this.ctx.emit(piece));
  }
  override end(): void {
    this.queue.add(0, () => this.ctx.emitEnd());
  }
  override configure(attributes: Attributes): void {
    this.attributes = attributes;
  }
  override flush(): void {
    this.queue.flush();
  }
  override dispose(): void {
    this.queue.dispose();
  }
}
