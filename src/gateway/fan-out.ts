// FanOut: hands every signal of the LiveFeed, in seq order, to the sessions it matches, at a cost
// per delivery below one write per delivery under load, and without holding the event loop.
//
// - Each signal is serialised once, however many sessions take it, and framed once for the sessions
//   whose write carries it alone.
// - Work runs in slices after the current turn (setImmediate), alternating two phases. Offering:
//   signals are offered, strictly one after the other (so every session sees them in seq order), to
//   their candidate sessions, which keep what they take in their outbox; at most `sliceOffers` per
//   slice. Writing: once the queue is caught up, or `windowMs` after the first untaken outbox, every
//   session with something taken writes it as one frame (one object when one signal is due, an
//   array otherwise), at most `sliceWrites` sessions per slice. At low load a signal is written in
//   the turn after it arrives; under load a backlog builds up and each write carries more signals,
//   so the cost per delivery falls as the load grows.
// - The queue is bounded: past `maxQueued` signals, push() offers at once (holding the loop, as
//   fan-out did before slicing) rather than letting memory grow.
import type { Signal } from '../domain/signal.js';
import { signalFrame, wireFrame } from './messages.js';

/** A session as the fan-out sees it. */
export interface Recipient {
  /**
   * Takes the signal if it wants it (true); `text` gives the serialised message, `wire` the same as
   * a whole WebSocket frame (for a session whose write carries this signal alone).
   */
  offer(signal: Signal, text: () => string, wire: () => Buffer): boolean;
  /** Writes what it took since the last flush; returns how many signal messages that was. */
  flush(): number;
}

export interface FanOutOptions<T> {
  candidates(signal: Signal): Iterator<T>;
  /** Candidate sessions offered a signal per slice. */
  sliceOffers: number;
  /** Sessions written per slice. */
  sliceWrites: number;
  /** Under load, the longest a taken signal waits for the write phase (ms). */
  windowMs: number;
  maxQueued: number;
  /** `count` sessions were handed `signal` in one slice. */
  onDelivered?(signal: Signal, count: number): void;
  onSent?(count: number): void;
}

interface InFlight<T> {
  signal: Signal;
  sessions: Iterator<T>;
  text: () => string;
  wire: () => Buffer;
  /** Sessions that took it since it was last counted for onDelivered. */
  taken: number;
}

export class FanOut<T extends Recipient> {
  /**
   * Highest seq whose offering is complete: every live session it matched has it written or in its
   * outbox, which goes out before anything else the session sends.
   */
  doneSeq = 0;
  private queue: Signal[] = [];
  private head = 0;
  private current: InFlight<T> | undefined;
  /** Sessions with something in their outbox, since `collectingSince`; and what they took. */
  private dirty = new Set<T>();
  private collectingSince = 0;
  private taken: [Signal, number][] = [];
  /** The write phase in progress: sessions to flush from `writeAt` on, and what they carry. */
  private writing: T[] = [];
  private writeAt = 0;
  private writingTaken: [Signal, number][] = [];
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: FanOutOptions<T>) {}

  /** Signals waiting to be offered. */
  get queued(): number {
    return this.queue.length - this.head + (this.current ? 1 : 0);
  }

  push(signal: Signal): void {
    this.queue.push(signal);
    while (this.queued > this.opts.maxQueued) this.offer(this.opts.sliceOffers);
    this.schedule();
  }

  /** Resolves once everything pushed so far has been written. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.queued === 0 && this.dirty.size === 0 && this.writing.length === 0;
  }

  private schedule(): void {
    if (this.scheduled || this.isIdle()) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.slice();
    });
  }

  private slice(): void {
    if (this.writing.length === 0) {
      this.offer(this.opts.sliceOffers);
      const due = this.queued === 0 || performance.now() - this.collectingSince >= this.opts.windowMs;
      if (this.dirty.size > 0 && due) {
        this.writing = [...this.dirty];
        this.dirty.clear();
        this.writingTaken = this.taken;
        this.taken = [];
      }
    }
    if (this.writing.length > 0) this.write(this.opts.sliceWrites);
    if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
    else this.schedule();
  }

  private next(): InFlight<T> | undefined {
    const signal = this.queue[this.head];
    if (!signal) return undefined;
    this.head += 1;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    let text: string | undefined;
    let wire: Buffer | undefined;
    const sessions = this.opts.candidates(signal);
    const textOf = () => (text ??= signalFrame(signal));
    return { signal, sessions, text: textOf, wire: () => (wire ??= wireFrame(textOf())), taken: 0 };
  }

  /** Offers queued signals to at most `budget` candidate sessions. */
  private offer(budget: number): void {
    while (budget > 0) {
      const cur = (this.current ??= this.next());
      if (!cur) break;
      for (; budget > 0; budget--) {
        const step = cur.sessions.next();
        if (step.done) {
          this.current = undefined;
          this.doneSeq = cur.signal.seq;
          break;
        }
        if (!step.value.offer(cur.signal, cur.text, cur.wire)) continue;
        cur.taken += 1;
        if (this.dirty.size === 0) this.collectingSince = performance.now();
        this.dirty.add(step.value);
      }
      if (cur.taken > 0) this.taken.push([cur.signal, cur.taken]);
      cur.taken = 0;
    }
  }

  /** Flushes at most `budget` sessions of the write phase; reports the phase's deliveries at its end. */
  private write(budget: number): void {
    const end = Math.min(this.writing.length, this.writeAt + budget);
    let sent = 0;
    for (; this.writeAt < end; this.writeAt++) sent += (this.writing[this.writeAt] as T).flush();
    if (sent > 0) this.opts.onSent?.(sent);
    if (this.writeAt < this.writing.length) return;
    this.writing = [];
    this.writeAt = 0;
    for (const [signal, count] of this.writingTaken) this.opts.onDelivered?.(signal, count);
    this.writingTaken = [];
  }
}
