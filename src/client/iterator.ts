// The pull side of the client: a bounded queue read through an async iterator. The queue never holds
// more than `highWaterMark` items; the client pauses the socket when it is full (see client.ts), so a
// slow consumer pushes back on the server instead of growing this process's memory.

export interface QueueHooks<T> {
  /** Called as an item is handed to the consumer: the moment it counts as delivered. */
  onDeliver(item: T): void;
  /** Called when the queue has drained to the low-water mark after being full. */
  onDrain(): void;
  /** Called when the consumer stops early (`break` out of `for await`). */
  onReturn(): void;
}

export class SignalQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private ended = false;
  private error: unknown;
  private full = false;

  constructor(
    readonly highWaterMark: number,
    readonly lowWaterMark: number,
    private readonly hooks: QueueHooks<T>,
  ) {}

  get length(): number {
    return this.items.length;
  }

  /** True once the queue holds `highWaterMark` items, until it drains to `lowWaterMark`. */
  get isFull(): boolean {
    return this.full;
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
    if (this.items.length >= this.highWaterMark) this.full = true;
    return true;
  }

  /** Drops what is queued (its history was reset); a full queue counts as drained. */
  clear(): void {
    this.items.length = 0;
    if (this.full) {
      this.full = false;
      this.hooks.onDrain();
    }
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
      if (this.full && this.items.length <= this.lowWaterMark) {
        this.full = false;
        this.hooks.onDrain();
      }
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
