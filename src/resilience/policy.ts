// DependencyPolicy: how calls to one named dependency are protected (timeout, breaker, retry,
// pacing). Every dependency gets a policy from DEFAULT_POLICIES, overridden by config; the config
// module reads the overrides from the environment through parsePolicyEnv.

export interface BreakerPolicy {
  /** Calls in the rolling window before the breaker may open (opossum defaults to 0: never use that). */
  volumeThreshold: number;
  /** Open when the failure percentage in the window is above this. */
  errorThresholdPercentage: number;
  /** Time spent open before one half-open probe is let through. */
  resetTimeoutMs: number;
  /** Length of the rolling statistics window. */
  rollingCountTimeoutMs: number;
}

export interface RetryPolicy {
  /** Total attempts including the first (1 = no retry). Used only for calls marked idempotent. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface LimiterPolicy {
  /** Calls running at once in this process. */
  maxConcurrent?: number;
  /** Minimum spacing between call starts in this process. */
  minTimeMs?: number;
}

export interface DependencyPolicy {
  /** Per-attempt deadline, including any wait for the limiter; the attempt's AbortSignal fires at it. */
  timeoutMs: number;
  breaker: BreakerPolicy;
  retry?: RetryPolicy;
  limiter?: LimiterPolicy;
}

/** What config may change; nested parts merge field by field over the defaults. */
export interface DependencyPolicyOverride {
  timeoutMs?: number;
  breaker?: Partial<BreakerPolicy>;
  retry?: Partial<RetryPolicy>;
  limiter?: Partial<LimiterPolicy>;
}

/** The key that stands for every `feed:<name>` dependency without a policy of its own. */
export const FEED_DEFAULT_KEY = 'feed:*';

const breaker = (volumeThreshold: number, resetTimeoutMs: number): BreakerPolicy => ({
  volumeThreshold,
  errorThresholdPercentage: 50,
  resetTimeoutMs,
  rollingCountTimeoutMs: 10_000,
});

/**
 * Defaults. Timeouts sit above the dependency's healthy p99 and well below the caller's own
 * deadline (a publish must answer 503 fast, not hang). Reset timeouts are short for our own
 * infrastructure (it usually comes back in seconds) and long for third parties (rate limits).
 */
export const DEFAULT_POLICIES: Record<string, DependencyPolicy> = {
  // The store is the truth: a publish waits for it, so fail fast and let the publisher retry.
  store: {
    timeoutMs: 2_000,
    breaker: breaker(10, 5_000),
    retry: { attempts: 2, baseDelayMs: 50, maxDelayMs: 500 },
  },
  // The bus only makes delivery fast (gaps are read from the store): never retry, never wait long.
  bus: { timeoutMs: 1_000, breaker: breaker(10, 5_000) },
  // The rate limiters' Redis: a request waits for it, and the in-memory insurance answers instead.
  redis: {
    timeoutMs: 200,
    breaker: breaker(20, 3_000),
    retry: { attempts: 2, baseDelayMs: 25, maxDelayMs: 200 },
  },
  // An LLM call is slow and paid for: few at once, paced, with the keyword classifier as fallback.
  llm: {
    timeoutMs: 15_000,
    breaker: breaker(5, 30_000),
    retry: { attempts: 2, baseDelayMs: 500, maxDelayMs: 4_000 },
    limiter: { maxConcurrent: 4, minTimeMs: 100 },
  },
  market_data: {
    timeoutMs: 5_000,
    breaker: breaker(5, 30_000),
    retry: { attempts: 3, baseDelayMs: 200, maxDelayMs: 2_000 },
    limiter: { maxConcurrent: 2, minTimeMs: 250 },
  },
  // Feeds are polled: a failing feed waits a minute; one fetch at a time per feed, at most 1/s.
  [FEED_DEFAULT_KEY]: {
    timeoutMs: 10_000,
    breaker: breaker(3, 60_000),
    retry: { attempts: 2, baseDelayMs: 1_000, maxDelayMs: 5_000 },
    limiter: { maxConcurrent: 1, minTimeMs: 1_000 },
  },
};

/** For a name no one configured: conservative, no retry, no pacing. */
export const FALLBACK_POLICY: DependencyPolicy = { timeoutMs: 5_000, breaker: breaker(10, 10_000) };

/**
 * Canonical policy key of a dependency name: lower case, anything but [a-z0-9:*] as `_`. So the
 * feed host `feed:www.sec.gov` and the env spelling `FEED_WWW_SEC_GOV` meet at `feed:www_sec_gov`.
 */
export function policyKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9:*]/g, '_');
}

/**
 * The effective policy of a dependency: its default (the feed default for `feed:*` names, else
 * FALLBACK_POLICY), then the `feed:*` override for feeds, then its own override. Throws when the
 * result is unusable, naming the dependency and the field.
 */
export function policyFor(
  name: string,
  overrides: Record<string, DependencyPolicyOverride | undefined> = {},
): DependencyPolicy {
  const key = policyKey(name);
  const byKey = new Map(Object.entries(overrides).map(([k, v]) => [policyKey(k), v]));
  const isFeed = key.startsWith('feed:');
  let policy =
    DEFAULT_POLICIES[key] ?? (isFeed ? DEFAULT_POLICIES[FEED_DEFAULT_KEY] : undefined) ?? FALLBACK_POLICY;
  if (isFeed && key !== FEED_DEFAULT_KEY) policy = merge(policy, byKey.get(FEED_DEFAULT_KEY));
  policy = merge(policy, byKey.get(key));
  validatePolicy(name, policy);
  return policy;
}

function merge(base: DependencyPolicy, o: DependencyPolicyOverride | undefined): DependencyPolicy {
  if (!o) return structuredClone(base);
  const out: DependencyPolicy = {
    timeoutMs: o.timeoutMs ?? base.timeoutMs,
    breaker: { ...base.breaker, ...defined(o.breaker) },
  };
  // An override may add retry or pacing to a dependency whose default has none; missing fields
  // then come from the generic values below.
  if (base.retry || o.retry)
    out.retry = { attempts: 1, baseDelayMs: 100, maxDelayMs: 1_000, ...base.retry, ...defined(o.retry) };
  if (base.limiter || o.limiter) out.limiter = { ...base.limiter, ...defined(o.limiter) };
  return out;
}

function defined<T extends object>(o: T | undefined): Partial<T> {
  if (!o) return {};
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function validatePolicy(name: string, p: DependencyPolicy): void {
  const problems: string[] = [];
  const positive = (field: string, v: number | undefined, min = 1) => {
    if (v !== undefined && !(Number.isFinite(v) && v >= min))
      problems.push(`${field} must be a number >= ${min}, got ${v}`);
  };
  const whole = (field: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= 1))
      problems.push(`${field} must be a whole number >= 1, got ${v}`);
  };
  positive('timeoutMs', p.timeoutMs);
  whole('breaker.volumeThreshold', p.breaker.volumeThreshold);
  positive('breaker.resetTimeoutMs', p.breaker.resetTimeoutMs);
  positive('breaker.rollingCountTimeoutMs', p.breaker.rollingCountTimeoutMs, 10);
  const pct = p.breaker.errorThresholdPercentage;
  if (!(pct > 0 && pct <= 100))
    problems.push(`breaker.errorThresholdPercentage must be in (0, 100], got ${pct}`);
  if (p.retry) {
    whole('retry.attempts', p.retry.attempts);
    positive('retry.baseDelayMs', p.retry.baseDelayMs, 0);
    positive('retry.maxDelayMs', p.retry.maxDelayMs, 0);
  }
  if (p.limiter) {
    whole('limiter.maxConcurrent', p.limiter.maxConcurrent);
    positive('limiter.minTimeMs', p.limiter.minTimeMs, 0);
  }
  if (problems.length) throw new Error(`invalid policy for dependency "${name}": ${problems.join('; ')}`);
}
