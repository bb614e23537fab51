// Gathers one ticker's market facts within a short deadline: news is worth most when it is new, so
// a signal never waits long for volume data. What did not arrive is named with the reason, and the
// score goes out unadjusted for it.
import { dependencyFailure } from '../resilience/errors.js';
import type { MarketData } from './market-data-port.js';
import { UpstreamError } from './upstream-error.js';
import type { MarketFacts } from './score.js';

export const DEFAULT_MARKET_DEADLINE_MS = 2000;

type Fact = 'baseline' | 'todayVolume' | 'shares';

function failureReason(err: unknown): string {
  if (err instanceof UpstreamError) return `unavailable (${err.reason})`;
  const inner = (err as { cause?: unknown })?.cause;
  if (inner instanceof UpstreamError) return `unavailable (${inner.reason})`;
  const dep = dependencyFailure(err);
  return dep === 'open' ? 'unavailable (breaker open)' : dep ? `unavailable (${dep})` : 'unavailable';
}

/**
 * Asks the (guarded) port for the three facts at once and answers by the deadline with whatever
 * came: a fact still pending is 'late', and its call is aborted.
 */
export async function gatherMarketFacts(
  md: MarketData,
  ticker: string,
  deadlineMs = DEFAULT_MARKET_DEADLINE_MS,
): Promise<MarketFacts> {
  const ac = new AbortController();
  const facts: MarketFacts = {};
  const missing: Partial<Record<Fact, string>> = {};
  const pending = new Set<Fact>(['baseline', 'todayVolume', 'shares']);
  const settle = async <T>(fact: Fact, call: Promise<T | null>, apply: (v: T) => void) => {
    try {
      const v = await call;
      if (ac.signal.aborted) return;
      if (v === null) missing[fact] = 'unknown';
      else apply(v);
    } catch (err) {
      if (!ac.signal.aborted) missing[fact] = failureReason(err);
    } finally {
      pending.delete(fact);
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
  await Promise.race([
    deadline,
    Promise.all([
      settle('baseline', md.baseline(ticker, ac.signal), (b) => {
        facts.avgVolume = b.avgVolume;
        facts.sessions = b.sessions;
      }),
      settle('todayVolume', md.todayVolume(ticker, ac.signal), (v) => (facts.todayVolume = v)),
      settle('shares', md.shares(ticker, ac.signal), (s) => {
        if (s.sharesOutstanding !== undefined) facts.sharesOutstanding = s.sharesOutstanding;
        if (s.floatShares !== undefined) facts.floatShares = s.floatShares;
        if (s.sharesOutstanding === undefined && s.floatShares === undefined) missing.shares = 'unknown';
      }),
    ]),
  ]);
  clearTimeout(timer);
  for (const fact of pending) missing[fact] = 'late';
  ac.abort(new Error(`market data for ${ticker} arrived after its ${deadlineMs} ms deadline`));
  if (Object.keys(missing).length > 0) facts.missing = missing;
  return facts;
}
