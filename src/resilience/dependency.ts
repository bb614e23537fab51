// Dependency: the single way to call a named outside dependency (store, bus, redis, llm,
// market_data, feed:<host>). A call goes: breaker (rejects fast while open) -> per-attempt deadline
// with a fresh AbortSignal -> optional outbound limiter -> fn; retried with jittered backoff only
// when the caller says it is idempotent; answered by the fallback, if any, when every attempt failed.
//
// Contract for callers:
// - fn must pass the signal on (fetch, pg, ioredis...) so a timed-out attempt really stops.
// - A failure that is the dependency's fault rejects with CatalystError('unavailable') whose
//   `cause` is the original error (DependencyTimeoutError, opossum's open-breaker error, or the
//   dependency's own), with `retryAfter` in seconds: the breaker's remaining reset time when it is
//   open, else 1. Its message never carries the dependency's own text (that stays in `cause`),
//   so it is safe to show a client.
// - An error that is the caller's (see isCallerError: CatalystError below 500, a caller abort, or
//   opts.isCallerError) is rethrown as-is: it is not a breaker failure, not retried, not a fallback.
// - A fallback's own error propagates as-is.
import Bottleneck from 'bottleneck';
import CircuitBreaker from 'opossum';
import { setTimeout as sleep } from 'node:timers/promises';
import { CatalystError } from '../domain/errors.js';
import type { Logger } from '../observability/logger.js';
import {
  DEPENDENCY_OUTCOMES,
  type BreakerState,
  type DependencyOutcome,
  type Metrics,
} from '../observability/metrics.js';
import { runAttempt } from './attempt.js';
import { backoffDelayMs } from './backoff.js';
import { breakerState, exportBreaker } from './breaker-exporter.js';
import { DependencyBusyError, DependencyTimeoutError, isBreakerOpenError, isCallerError } from './errors.js';
import type { DependencyPolicy } from './policy.js';

export interface CallOptions<T> {
  /** Safe to repeat (a read, or a write with an idempotency key): enables the policy's retry. */
  idempotent?: boolean;
  /** Answers instead when every attempt failed or the breaker is open. */
  fallback?: (err: unknown) => T | Promise<T>;
  /** The caller's cancellation (e.g. the client went away). Not counted against the dependency. */
  signal?: AbortSignal;
  /** Extra "this error is the caller's, not the dependency's" test for this call. */
  isCallerError?: (err: unknown) => boolean;
  /** False for a failure an idempotent call must not retry at once (a 429 that named its wait). */
  retryable?: (err: unknown) => boolean;
}

export interface DependencySnapshot {
  name: string;
  state: BreakerState;
  /** Since start: attempts by outcome (`success` includes answers the caller treats as errors). */
  counts: Record<DependencyOutcome, number>;
  last_error: { message: string; at: string } | null;
  /** Duration of the last attempt that reached the dependency. */
  last_latency_ms: number | null;
  policy: DependencyPolicy;
}

export interface DependencyDeps {
  metrics: Pick<Metrics, 'dependencyCalls' | 'dependencyDuration' | 'breakerState' | 'breakerTransitions'>;
  logger: Logger;
  /**
   * Pacing shared beyond this process (a Bottleneck clustered through Redis), for a limit counted
   * across all machines such as SEC's. Replaces the in-process limiter the policy would build.
   */
  limiter?: Bottleneck;
}

type Attempt = {
  fn: (signal: AbortSignal) => Promise<unknown>;
  signal: AbortSignal | undefined;
  isCallerError: (err: unknown) => boolean;
};

export class Dependency {
  private readonly breaker: CircuitBreaker<[Attempt], unknown>;
  private readonly limiter: Bottleneck | undefined;
  private readonly counts: Record<DependencyOutcome, number>;
  private lastError: { message: string; at: string } | null = null;
  private lastLatencyMs: number | null = null;
  private openedAt = 0;

  constructor(
    readonly name: string,
    readonly policy: DependencyPolicy,
    private readonly deps: DependencyDeps,
  ) {
    const { limiter } = policy;
    this.limiter = deps.limiter
      ? deps.limiter
      : limiter
        ? new Bottleneck({ maxConcurrent: limiter.maxConcurrent ?? null, minTime: limiter.minTimeMs ?? 0 })
        : undefined;
    this.breaker = new CircuitBreaker((a: Attempt) => this.attempt(a), {
      name,
      timeout: false, // the deadline is ours (attempt.ts): a fresh AbortSignal per attempt
      volumeThreshold: policy.breaker.volumeThreshold,
      errorThresholdPercentage: policy.breaker.errorThresholdPercentage,
      resetTimeout: policy.breaker.resetTimeoutMs,
      rollingCountTimeout: policy.breaker.rollingCountTimeoutMs,
      enableSnapshots: false,
      // A filtered error counts as a success for the breaker (and opossum still rejects the call).
      // Waiting for our own limiter is not the dependency's fault either.
      errorFilter: ((err: unknown, a?: Attempt) =>
        err instanceof DependencyBusyError || (a?.isCallerError(err) ?? false)) as (err: unknown) => boolean,
    });
    // Monotonic: a step of the wall clock must not turn Retry-After into hours.
    this.breaker.on('open', () => (this.openedAt = performance.now()));
    // Recorded on opossum's own event so the transition line it may trigger names this error.
    this.breaker.on('failure', (err: unknown) => {
      this.lastError = {
        message: err instanceof Error ? err.message : String(err),
        at: new Date().toISOString(),
      };
    });
    exportBreaker(this.breaker, {
      dependency: name,
      metrics: deps.metrics,
      logger: deps.logger,
      context: () => ({
        last_error: this.lastError?.message,
        reset_timeout_ms: policy.breaker.resetTimeoutMs,
      }),
    });
    this.counts = Object.fromEntries(DEPENDENCY_OUTCOMES.map((o) => [o, 0])) as Record<
      DependencyOutcome,
      number
    >;
    // Zero every series now, so rate() and alerts see the dependency before its first failure.
    for (const outcome of DEPENDENCY_OUTCOMES)
      deps.metrics.dependencyCalls.inc({ dependency: name, outcome }, 0);
  }

  async call<T>(fn: (signal: AbortSignal) => Promise<T>, opts: CallOptions<T> = {}): Promise<T> {
    const callerSignal = opts.signal;
    const a: Attempt = {
      fn,
      signal: callerSignal,
      isCallerError: (err) =>
        callerSignal?.aborted === true || isCallerError(err) || (opts.isCallerError?.(err) ?? false),
    };
    const attempts = opts.idempotent && this.policy.retry ? this.policy.retry.attempts : 1;
    let failure: unknown;
    for (let n = 1; ; n++) {
      const began = performance.now();
      try {
        const result = (await this.breaker.fire(a)) as T;
        this.record('success', began);
        return result;
      } catch (err) {
        if (!isBreakerOpenError(err) && a.isCallerError(err)) {
          if (!callerSignal?.aborted) this.record('success', began);
          throw err;
        }
        failure = err;
        const outcome = this.classify(err);
        this.record(outcome, began);
        // No retry once the breaker is open: the next attempt would only be rejected.
        if (outcome === 'rejected' || n >= attempts || !this.breaker.closed) break;
        if (opts.retryable?.(err) === false) break;
      }
      await sleep(backoffDelayMs(n, this.policy.retry!), undefined, { signal: callerSignal });
    }
    if (opts.fallback) {
      this.record('fallback');
      return opts.fallback(failure);
    }
    throw this.unavailable(failure);
  }

  snapshot(): DependencySnapshot {
    return {
      name: this.name,
      state: breakerState(this.breaker),
      counts: { ...this.counts },
      last_error: this.lastError,
      last_latency_ms: this.lastLatencyMs,
      policy: structuredClone(this.policy),
    };
  }

  /** Stops the breaker's timers and drops queued limiter jobs; later calls reject. */
  shutdown(): void {
    this.breaker.shutdown();
    // A limiter clustered through Redis also holds connections: close them too.
    const limiter = this.limiter;
    void limiter
      ?.stop({ dropWaitingJobs: true })
      .catch(() => undefined)
      .then(() => limiter.disconnect())
      .catch(() => undefined);
  }

  private attempt(a: Attempt): Promise<unknown> {
    return runAttempt(a.fn, {
      dependency: this.name,
      timeoutMs: this.policy.timeoutMs,
      limiter: this.limiter,
      callerSignal: a.signal,
    });
  }

  private classify(err: unknown): DependencyOutcome {
    if (isBreakerOpenError(err) || err instanceof DependencyBusyError) return 'rejected';
    if (err instanceof DependencyTimeoutError) return 'timeout';
    return 'failure';
  }

  private record(outcome: DependencyOutcome, began?: number): void {
    const dependency = this.name;
    this.counts[outcome]++;
    this.deps.metrics.dependencyCalls.inc({ dependency, outcome });
    if (began !== undefined && outcome !== 'rejected') {
      const ms = performance.now() - began;
      this.lastLatencyMs = Math.round(ms * 1000) / 1000;
      this.deps.metrics.dependencyDuration.observe({ dependency, outcome }, ms / 1000);
    }
  }

  private unavailable(cause: unknown): CatalystError {
    let retryAfter = 1;
    let why = 'failed';
    if (isBreakerOpenError(cause) || this.breaker.opened) {
      const remainingMs = this.openedAt + this.policy.breaker.resetTimeoutMs - performance.now();
      retryAfter = Math.max(1, Math.ceil(remainingMs / 1000));
      if (isBreakerOpenError(cause)) why = 'circuit open';
    }
    if (cause instanceof DependencyTimeoutError) why = `timed out after ${this.policy.timeoutMs} ms`;
    if (cause instanceof DependencyBusyError) why = 'too busy';
    return new CatalystError('unavailable', `Dependency ${this.name} is unavailable (${why})`, {
      retryAfter,
      cause,
    });
  }
}
