// SubscriptionIndex: which sessions might want a signal, so that a signal's cost scales with the
// sessions it can match, not with every session. Each subscriber sits in exactly one place, chosen
// by the most selective filter it gives: its tickers, else its catalysts, else its min_confidence
// (in buckets of 0.01), else the "everyone" set. Candidates are then checked against their full
// filter by the caller.
import type { SignalFilter } from '../domain/filter.js';
import type { Signal } from '../domain/signal.js';

/** Confidence lives in 0..1: bucket b holds the thresholds in [b/100, (b+1)/100). */
const BUCKETS = 101;
const bucketOf = (confidence: number) => Math.min(BUCKETS - 1, Math.max(0, Math.floor(confidence * 100)));

type Place =
  { kind: 'ticker' | 'catalyst'; keys: string[] } | { kind: 'confidence'; bucket: number } | 'everyone';

export class SubscriptionIndex<T> {
  private readonly byTicker = new Map<string, Set<T>>();
  private readonly byCatalyst = new Map<string, Set<T>>();
  private readonly byConfidence: (Set<T> | undefined)[] = new Array(BUCKETS);
  private readonly everyone = new Set<T>();
  private readonly places = new Map<T, Place>();

  get size(): number {
    return this.places.size;
  }

  /** Adds the subscriber, replacing its previous filter. */
  set(sub: T, filter: SignalFilter): void {
    this.delete(sub);
    const place = placeOf(filter);
    this.places.set(sub, place);
    if (place === 'everyone') this.everyone.add(sub);
    else if (place.kind === 'confidence') (this.byConfidence[place.bucket] ??= new Set()).add(sub);
    else {
      const map = place.kind === 'ticker' ? this.byTicker : this.byCatalyst;
      for (const k of place.keys) {
        let set = map.get(k);
        if (!set) map.set(k, (set = new Set()));
        set.add(sub);
      }
    }
  }

  delete(sub: T): void {
    const place = this.places.get(sub);
    if (!place) return;
    this.places.delete(sub);
    if (place === 'everyone') this.everyone.delete(sub);
    else if (place.kind === 'confidence') {
      const set = this.byConfidence[place.bucket];
      set?.delete(sub);
      if (set?.size === 0) this.byConfidence[place.bucket] = undefined;
    } else {
      const map = place.kind === 'ticker' ? this.byTicker : this.byCatalyst;
      for (const k of place.keys) {
        const set = map.get(k);
        set?.delete(sub);
        if (set?.size === 0) map.delete(k);
      }
    }
  }

  /**
   * Subscribers whose indexed filter lets this signal through (or, in the signal's own confidence
   * bucket, may); each appears once. Lazy, so a caller may walk a large set in several slices.
   */
  *candidates(signal: Pick<Signal, 'ticker' | 'catalyst' | 'confidence'>): Generator<T, void, undefined> {
    const ticker = this.byTicker.get(signal.ticker);
    if (ticker) yield* ticker;
    const catalyst = this.byCatalyst.get(signal.catalyst);
    if (catalyst) yield* catalyst;
    const top = Number.isFinite(signal.confidence) ? bucketOf(signal.confidence) : -1;
    for (let b = 0; b <= top; b++) {
      const set = this.byConfidence[b];
      if (set) yield* set;
    }
    yield* this.everyone;
  }
}

function placeOf(f: SignalFilter): Place {
  if (f.tickers) return { kind: 'ticker', keys: f.tickers };
  if (f.catalysts) return { kind: 'catalyst', keys: f.catalysts };
  // A threshold above a signal's confidence excludes it; one at 0 excludes nothing worth indexing.
  if (f.min_confidence !== undefined && f.min_confidence > 0)
    return { kind: 'confidence', bucket: bucketOf(f.min_confidence) };
  return 'everyone';
}
