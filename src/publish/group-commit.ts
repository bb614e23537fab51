// Group commit: publishes go to the store together, in ONE append (one transaction, one fsync),
// instead of queueing on it one by one. Appends are serial per store anyway (the seq counter is one
// row), so batching them costs no parallelism and turns N commits into one under load.
//
// What goes together is what arrived while the store was busy, never what a timer waited for:
// - an asynchronous store (PostgreSQL): the publishes that arrive during an append go in the next;
// - a synchronous one (SQLite, whose commit and fsync hold the event loop): nothing can arrive
//   DURING its commit, so the requests that came in meanwhile are parsed one after the other in the
//   next turn of the event loop. The first append of a burst is therefore started after the current
//   turn (setImmediate: no fixed wait, only the callbacks already due run first), and takes every
//   publish that turn produced. Alone, a publish is appended at the end of its own turn.
//
// Each caller gets exactly the results of its own inputs, in order. When the append fails, every
// caller of that group gets the error: the transaction stored none of them. Not retried here: an
// attempt that timed out may still have committed, and a retry would then report "duplicate" (200)
// for signals this very call stored; publishers retry on 503 with the same ids instead.
import type { SignalInput } from '../domain/signal.js';
import type { AppendResult, EventStore } from '../store/event-store.js';

interface Waiting {
  inputs: SignalInput[];
  resolve(results: AppendResult[]): void;
  reject(err: unknown): void;
}

/** A group takes whole requests until it holds this many signals (a bigger single batch goes alone). */
const MAX_GROUP_SIGNALS = 1000;

export class GroupCommit {
  private readonly queue: Waiting[] = [];
  /** An append is in flight, or one is scheduled for the end of this turn. */
  private writing = false;

  constructor(private readonly store: EventStore) {}

  append(inputs: SignalInput[]): Promise<AppendResult[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ inputs, resolve, reject });
      if (this.writing) return;
      this.writing = true;
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const group = this.takeGroup();
        const all = group.flatMap((w) => w.inputs);
        try {
          const results = await this.store.append(all);
          let at = 0;
          for (const w of group) {
            w.resolve(results.slice(at, at + w.inputs.length));
            at += w.inputs.length;
          }
        } catch (err) {
          for (const w of group) w.reject(err);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private takeGroup(): Waiting[] {
    const group: Waiting[] = [this.queue.shift() as Waiting];
    let size = group[0]?.inputs.length ?? 0;
    while (this.queue.length > 0 && size + (this.queue[0] as Waiting).inputs.length <= MAX_GROUP_SIGNALS) {
      const next = this.queue.shift() as Waiting;
      size += next.inputs.length;
      group.push(next);
    }
    return group;
  }
}
