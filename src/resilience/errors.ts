// Errors raised by the dependency wrapper, and the tests callers use to tell them apart. What a
// caller sees is always a CatalystError('unavailable') whose `cause` is one of these (or the
// dependency's own error); the helpers look through that cause.
import { CatalystError } from '../domain/errors.js';

/** An attempt ran past its deadline; its AbortSignal was aborted with this error as the reason. */
export class DependencyTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(
    readonly dependency: string,
    readonly timeoutMs: number,
  ) {
    super(`${dependency} did not answer within ${timeoutMs} ms`);
    this.name = 'DependencyTimeoutError';
  }
}

/**
 * An attempt waited for the outbound limiter until its deadline and never started. It is our own
 * pacing, not the dependency's fault, so it does not count against the breaker.
 */
export class DependencyBusyError extends Error {
  readonly code = 'EBUSY';
  constructor(
    readonly dependency: string,
    readonly timeoutMs: number,
  ) {
    super(`${dependency}: no slot in the outbound limiter within ${timeoutMs} ms`);
    this.name = 'DependencyBusyError';
  }
}

/** opossum's fast rejection while the breaker is open (or half-open with its probe in flight). */
export function isBreakerOpenError(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'EOPENBREAKER';
}

/** Why a dependency call failed, looking through a CatalystError's cause. */
export type DependencyFailure = 'timeout' | 'open' | 'busy' | 'failure';

export function dependencyFailure(err: unknown): DependencyFailure | undefined {
  const inner = err instanceof CatalystError && err.code === 'unavailable' ? err.cause : err;
  if (inner instanceof DependencyTimeoutError) return 'timeout';
  if (inner instanceof DependencyBusyError) return 'busy';
  if (isBreakerOpenError(inner)) return 'open';
  return err instanceof CatalystError && err.code === 'unavailable' ? 'failure' : undefined;
}

export const isDependencyTimeout = (err: unknown): boolean => dependencyFailure(err) === 'timeout';

/**
 * The default answer to "is this the caller's fault, not the dependency's?": a CatalystError below
 * 500 (invalid_request, conflict, not_found...) raised inside the call means the dependency
 * answered. Such errors neither count against the breaker nor trigger retry or fallback.
 */
export function isCallerError(err: unknown): boolean {
  return err instanceof CatalystError && err.status < 500;
}
