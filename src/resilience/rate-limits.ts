// Rate limits (rate-limiter-flexible): publishes per token, WebSocket connects per IP and per
// token, client messages per session, REST reads per token, failed authentications per client
// address (checked before any token lookup, so a flood of bad tokens never reaches the store).
//
// One node: in memory. With Redis: RateLimiterRedis, shared by every node, called through the
// `redis` Dependency (deadline, breaker, metrics, /admin/dependencies) with the in-memory limiter as
// its fallback (the insurance). When Redis is down or wedged each node limits on its own (the limit
// is per node for that time, never removed) and answers in about a millisecond (or at most the
// dependency's timeout for a wedged connection, and at once when its breaker is open): a Redis
// outage never hangs a request. The ioredis client should be created with `enableOfflineQueue:
// false` and a `commandTimeout` (a timed-out command must not linger); `rejectIfRedisNotReady`
// skips Redis while it is not connected.
//
// consume() never throws: a limit answers { allowed: false, retryAfterMs }, anything unexpected
// (a bug in a limiter) is logged and allowed, on purpose: refusing all traffic because the limiter
// broke would be an outage of our own making.
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { CatalystError } from '../domain/errors.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Dependency } from './dependency.js';
import { RejectionLog } from './rejection-log.js';

export interface RateLimitRule {
  /** Points a key may consume per window (one request, connect or message is one point). */
  points: number;
  /** Window length in seconds. */
  durationSec: number;
}

export interface RateLimitConfig {
  /** POST /signals per token id (a batch consumes one point per signal). */
  publishPerToken: RateLimitRule;
  /** WebSocket upgrades per client IP. */
  wsConnectsPerIp: RateLimitRule;
  /** WebSocket sessions opened per token id. */
  wsConnectsPerToken: RateLimitRule;
  /** Client messages per WebSocket session; past it the session is closed with 4429. */
  wsMessagesPerSession: RateLimitRule;
  /** REST reads (GET /signals...) per token id. */
  restReadsPerToken: RateLimitRule;
  /** Failed authentications (REST 401, WebSocket 4401) per client address; past it, 429 before auth. */
  authFailuresPerAddress: RateLimitRule;
}

export type LimiterName = keyof RateLimitConfig;

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  publishPerToken: { points: 100, durationSec: 1 },
  wsConnectsPerIp: { points: 30, durationSec: 60 },
  wsConnectsPerToken: { points: 20, durationSec: 60 },
  wsMessagesPerSession: { points: 20, durationSec: 1 },
  restReadsPerToken: { points: 20, durationSec: 1 },
  authFailuresPerAddress: { points: 20, durationSec: 60 },
};

/** The `limiter` label and log name of each limiter. */
export const LIMITER_LABELS: Record<LimiterName, string> = {
  publishPerToken: 'publish_per_token',
  wsConnectsPerIp: 'ws_connects_per_ip',
  wsConnectsPerToken: 'ws_connects_per_token',
  wsMessagesPerSession: 'ws_messages_per_session',
  restReadsPerToken: 'rest_reads_per_token',
  authFailuresPerAddress: 'auth_failures_per_address',
};

export type ConsumeResult = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface RateLimiter {
  readonly name: LimiterName;
  readonly rule: RateLimitRule;
  /** Takes `points` from `key`'s budget. Never throws, never waits on a dead Redis. */
  consume(key: string, points?: number): Promise<ConsumeResult>;
  /** Whether `key` has budget left, without taking any. Never throws. */
  peek(key: string): Promise<ConsumeResult>;
}

export type RateLimits = Record<LimiterName, RateLimiter>;

export interface RateLimitsOptions {
  /** The shared limiter store: a ready client and the dependency every call to it goes through. */
  redis?: { client: Redis; dependency: Dependency };
  /** Prefix of every Redis key (and the namespace of the memory limiters), e.g. `catalyst:rl:`. */
  keyPrefix: string;
  metrics: Pick<Metrics, 'rateLimited'>;
  logger: Logger;
  /** Interval of the sampled rejection log lines (default 10 s). */
  logIntervalMs?: number;
}

export function createRateLimits(config: RateLimitConfig, opts: RateLimitsOptions): RateLimits {
  const entries = (Object.keys(LIMITER_LABELS) as LimiterName[]).map(
    (name) => [name, createLimiter(name, config[name], opts)] as const,
  );
  return Object.fromEntries(entries) as RateLimits;
}

function createLimiter(name: LimiterName, rule: RateLimitRule, opts: RateLimitsOptions): RateLimiter {
  const label = LIMITER_LABELS[name];
  // Keys are `<prefix><limiter>:<key>`; every operation touches one key, so Redis Cluster is fine
  // without hash tags (a tag per limiter would pile all of its keys onto one slot).
  const keyPrefix = `${opts.keyPrefix}${label}`;
  const memory = new RateLimiterMemory({ keyPrefix, points: rule.points, duration: rule.durationSec });
  type Backend = {
    consume(key: string, points: number): Promise<unknown>;
    get(key: string): Promise<RateLimiterRes | null>;
  };
  let limiter: Backend = memory;
  if (opts.redis) {
    const shared = new RateLimiterRedis({
      storeClient: opts.redis.client,
      keyPrefix,
      points: rule.points,
      duration: rule.durationSec,
      rejectIfRedisNotReady: true,
    });
    const dependency = opts.redis.dependency;
    // A refusal (RateLimiterRes) is an answer, not a Redis failure. The insurance answers for a
    // Redis error, a timeout and an open breaker alike, so a slow failure is never counted twice.
    limiter = {
      consume: (key, points) =>
        dependency.call(() => shared.consume(key, points), {
          isCallerError: (err) => err instanceof RateLimiterRes,
          fallback: () => memory.consume(key, points),
        }),
      get: (key) => dependency.call(() => shared.get(key), { fallback: () => memory.get(key) }),
    };
  }
  const rejections = new RejectionLog(opts.logger, label, opts.logIntervalMs);
  const logger = opts.logger;

  return {
    name,
    rule,
    async consume(key: string, points = 1): Promise<ConsumeResult> {
      try {
        await limiter.consume(key, points);
        return { allowed: true };
      } catch (err) {
        if (err instanceof RateLimiterRes) {
          opts.metrics.rateLimited.inc({ limiter: label });
          rejections.note(key);
          return { allowed: false, retryAfterMs: Math.max(1, err.msBeforeNext) };
        }
        logger.error({ err, limiter: label }, `rate limit ${label}: limiter failed, allowing`);
        return { allowed: true };
      }
    },
    async peek(key: string): Promise<ConsumeResult> {
      try {
        const res = await limiter.get(key);
        if (!res || res.consumedPoints < rule.points) return { allowed: true };
        return { allowed: false, retryAfterMs: Math.max(1, res.msBeforeNext) };
      } catch (err) {
        logger.error({ err, limiter: label }, `rate limit ${label}: limiter failed, allowing`);
        return { allowed: true };
      }
    },
  };
}

/** Whole seconds for a `Retry-After` header: rounded up, at least 1. */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}

/** The protocol's 429 for a refused consume (REST: status + Retry-After; WebSocket: close 4429). */
export function rateLimitedError(result: { retryAfterMs: number }, message?: string): CatalystError {
  return new CatalystError('rate_limited', message, { retryAfter: retryAfterSeconds(result.retryAfterMs) });
}
