// Market data through a cache: the 20-day baseline changes once a day and share counts rarely, so
// a free-tier key (5 calls/min) serves a busy news day. A cache that fails is skipped, never fatal.
import { etDate } from '../domain/eastern-time.js';
import type { MarketData, ShareCounts, VolumeBaseline } from '../pipeline/market-data-port.js';
import type { TtlCache } from './ttl-cache.js';

export type MarketDataKind = 'baseline' | 'todayVolume' | 'shares';
export type CacheOutcome = 'hit' | 'miss' | 'error';

export interface CachedMarketDataOptions {
  ttlMs?: Partial<Record<MarketDataKind, number>>;
  /** Called on every lookup: feeds the cache hit/miss metric. */
  onLookup?: (kind: MarketDataKind, outcome: CacheOutcome) => void;
  now?: () => number;
}

export const DEFAULT_MARKET_DATA_TTL_MS: Record<MarketDataKind, number> = {
  baseline: 12 * 3600_000, // keyed by the ET date too, so a new day never reads yesterday's
  shares: 24 * 3600_000,
  todayVolume: 60_000, // cumulative volume moves; a minute old is close enough for RVOL
};

export function cachedMarketData(
  inner: MarketData,
  cache: TtlCache,
  opts: CachedMarketDataOptions = {},
): MarketData {
  const ttl = { ...DEFAULT_MARKET_DATA_TTL_MS, ...opts.ttlMs };
  const now = opts.now ?? Date.now;
  const report = opts.onLookup ?? (() => {});

  async function through<T>(kind: MarketDataKind, key: string, load: () => Promise<T>): Promise<T> {
    let cached: string | undefined;
    try {
      cached = await cache.get(key);
    } catch {
      report(kind, 'error');
      return load();
    }
    if (cached !== undefined) {
      report(kind, 'hit');
      return JSON.parse(cached) as T;
    }
    report(kind, 'miss');
    const value = await load();
    // Best effort: a cache that cannot store must not cost the answer we already have.
    await cache.set(key, JSON.stringify(value ?? null), ttl[kind]).catch(() => report(kind, 'error'));
    return value;
  }

  return {
    baseline: (ticker, signal) =>
      through<VolumeBaseline | null>('baseline', `baseline:${etDate(now())}:${ticker}`, () =>
        inner.baseline(ticker, signal),
      ),
    todayVolume: (ticker, signal) =>
      through<number | null>('todayVolume', `today:${ticker}`, () => inner.todayVolume(ticker, signal)),
    shares: (ticker, signal) =>
      through<ShareCounts | null>('shares', `shares:${ticker}`, () => inner.shares(ticker, signal)),
  };
}
