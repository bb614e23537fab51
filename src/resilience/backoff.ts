// Retry delays: exponential with "full jitter" (a uniform draw between 0 and the exponential cap),
// so clients retrying after one outage spread out instead of returning in lockstep.
import type { RetryPolicy } from './policy.js';

/** Delay before retry number `retry` (1 for the first retry). */
export function backoffDelayMs(
  retry: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random = Math.random,
): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(random() * cap);
}
