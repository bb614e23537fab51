// The pull side of the client: a bounded queue read through an async iterator. The queue never holds
// more than `highWaterMark` items. The client pauses the socket once it is half full (see client.ts),
// so a slow consumer pushes back on the server instead of growing this process's memory; the other
// half is headroom for the frames ws had already read when the pause took effect, which it still
// emits.

export interface QueueHooks<T> {
  /** Called as an item is handed to the consumer: the moment it counts as delivered. */
  onDeliver(item: T): void;
  /** Called when the queue has drained to the resume mark after reaching the pause mark. */
  onDrain(): void;
  /** Called when the consumer stops early (`break` out of `for await`). */
  onReturn(): void;
}

export class SignalQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private ended = false;
  private error: unknown;
  private backedUp = false;
  /** At this length the producer should stop reading... */
  readonly pauseMark: number;
  /** ...and at this one start again. */
  readonly resumeMark: number;

  constructor(
    readonly highWaterMark: number,
    private readonly hooks: QueueHooks<T>,
  ) {
    this.pauseMark = Math.ceil(highWaterMark / 2);
    this.resumeMark = Math.floor(highWaterMark / 4);
  }

  get length(): number {
    return this.items.length;
  }

  /** True from reaching the pause mark until draining to the resume mark. */
  get isBackedUp(): boolean {
    return this.backedUp;
  }

  /** Adds an item; false (item not taken) when the queue is at its high-water mark or has ended. */
  push(item: T): boolean {
    if (this.ended) return false;
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      this.hooks.onDeliver(item);
      resolve({ value: item, done: false });
      return true;
    }
    if (this.items.length >= this.highWaterMark) return false;
    this.items.push(item);
    if (this.items.length >= this.pauseMark) this.backedUp = true;
    return true;
  }

  /** Drops what is queued (its history was reset). */
  clear(): void {
    this.items.length = 0;
    this.drained();
  }

  /**
   * Ends the iteration. With an error, queued items are still yielded and the error is thrown after
   * them (they were received intact). Without one, queued items are dropped: they were never
   * delivered, so the position the caller saved still points before them and a resume refetches them.
   */
  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    if (error === undefined) this.items.length = 0;
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) this.settle(waiter);
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) {
      if (this.items.length <= this.resumeMark) this.drained();
      this.hooks.onDeliver(item);
      return Promise.resolve({ value: item, done: false });
    }
    if (this.ended) return new Promise((resolve, reject) => this.settle({ resolve, reject }));
    if (this.waiter) return Promise.reject(new Error('next() called again before the previous one settled'));
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    const wasEnded = this.ended;
    this.end();
    if (!wasEnded) this.hooks.onReturn();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private drained(): void {
    if (!this.backedUp) return;
    this.backedUp = false;
    this.hooks.onDrain();
  }

  private settle(w: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }): void {
    if (this.error !== undefined) {
      const error = this.error;
      this.error = undefined; // thrown once; afterwards the iterator is simply done
      w.reject(error);
    } else {
      w.resolve({ value: undefined, done: true });
    }
  }
}
