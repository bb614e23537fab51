// SubscriptionIndex: which sessions might want a signal, without scanning every session. Most
// subscribers filter by ticker, so they are indexed by ticker; the rest sit in one "any ticker" set.
// Candidates are then checked against their full filter by the caller.
import type { SignalFilter } from '../domain/filter.js';

export class SubscriptionIndex<T> {
  private readonly byTicker = new Map<string, Set<T>>();
  private readonly anyTicker = new Set<T>();
  private readonly filters = new Map<T, SignalFilter>();

  get size(): number {
    return this.filters.size;
  }

  /** Adds the subscriber, replacing its previous filter. */
  set(sub: T, filter: SignalFilter): void {
    this.delete(sub);
    this.filters.set(sub, filter);
    if (!filter.tickers) {
      this.anyTicker.add(sub);
      return;
    }
    for (const t of filter.tickers) {
      let set = this.byTicker.get(t);
      if (!set) this.byTicker.set(t, (set = new Set()));
      set.add(sub);
    }
  }

  delete(sub: T): void {
    const old = this.filters.get(sub);
    if (!old) return;
    this.filters.delete(sub);
    if (!old.tickers) {
      this.anyTicker.delete(sub);
      return;
    }
    for (const t of old.tickers) {
      const set = this.byTicker.get(t);
      set?.delete(sub);
      if (set?.size === 0) this.byTicker.delete(t);
    }
  }

  /** Subscribers whose ticker filter lets this ticker through; each appears once. */
  *candidates(ticker: string): Iterable<T> {
    const set = this.byTicker.get(ticker);
    if (set) yield* set;
    yield* this.anyTicker;
  }

  *all(): Iterable<T> {
    yield* this.filters.keys();
  }
}
