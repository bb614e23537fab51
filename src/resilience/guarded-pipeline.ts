// The pipeline's outside services behind their dependencies: each feed host, the LLM and the
// market-data API. Built once by main.ts; the pipeline receives only the ports.
import { CatalystError } from '../domain/errors.js';
import type { Classification } from '../pipeline/classifier-port.js';
import type { FeedFetcher } from '../pipeline/feed-port.js';
import type { MarketData } from '../pipeline/market-data-port.js';
import type { Classifier, FeedSource } from '../pipeline/ports.js';
import { UpstreamError } from '../pipeline/upstream-error.js';
import type { Dependency } from './dependency.js';
import { portCalls } from './port-calls.js';

/** Feeds: one dependency per host (breaker and pacing per host). Not retried: the next poll is. */
export function guardFeedSource(fetcher: FeedFetcher, depFor: (url: string) => Dependency): FeedSource {
  return {
    read: (url, parse, signal) =>
      depFor(url).call(
        async (s) => {
          const res = await fetcher.get(url, s);
          if (res.notModified) return { notModified: true as const };
          const value = parse(res.body);
          // Only a document that parsed makes the next GET conditional: a truncated one is fetched whole.
          fetcher.remember(url, res.validators);
          return { notModified: false as const, value, bytes: res.bytes };
        },
        { signal },
      ),
    forget: (url) => fetcher.forget(url),
  };
}

/**
 * The LLM: deadline, breaker, retry and concurrency from its policy. A 429 is honoured: until its
 * Retry-After passes, calls answer `unavailable` at once (the caller falls back to keywords)
 * instead of adding to the provider's count.
 */
export function guardClassifier(
  classifier: {
    classify(input: Parameters<Classifier['classify']>[0], signal: AbortSignal): Promise<Classification>;
  },
  dep: Dependency,
  now: () => number = Date.now,
): Classifier {
  let coolUntil = 0;
  return {
    async classify(input, signal) {
      if (now() < coolUntil) {
        const retryAfter = Math.ceil((coolUntil - now()) / 1000);
        throw new CatalystError('unavailable', `Dependency ${dep.name} asked to wait ${retryAfter} s (429)`, {
          retryAfter,
        });
      }
      const throttled = (err: unknown) => err instanceof UpstreamError && err.reason === 'rate_limited';
      try {
        // Retried once at once for a bad answer (garbage, truncated JSON); never for a 429.
        return await dep.call((s) => classifier.classify(input, s), {
          idempotent: true,
          signal,
          retryable: (err) => !throttled(err),
        });
      } catch (err) {
        const inner = err instanceof CatalystError ? err.cause : err;
        if (throttled(inner)) coolUntil = now() + ((inner as UpstreamError).retryAfterSeconds ?? 1) * 1000;
        throw err;
      }
    },
  };
}

/** Market data: every method one guarded call (the cache sits in front, so hits need no provider). */
export function guardMarketData(md: MarketData, dep: Dependency): MarketData {
  const { read } = portCalls(dep);
  return {
    baseline: (ticker, signal) => read((s) => md.baseline(ticker, s), signal),
    todayVolume: (ticker, signal) => read((s) => md.todayVolume(ticker, s), signal),
    shares: (ticker, signal) => read((s) => md.shares(ticker, s), signal),
  };
}
