// One attempt at a dependency call, with a deadline that really cancels the work.
//
// Each attempt gets a FRESH AbortController: opossum's own `abortController` option is one per
// breaker and stays aborted after the first timeout, so every later call would abort at once. The
// attempt settles at the deadline whether or not `fn` honours its signal, so a wedged dependency
// (accepts, never answers) costs one pending promise, never a blocked caller or event loop.
import type Bottleneck from 'bottleneck';
import { DependencyBusyError, DependencyTimeoutError } from './errors.js';

export interface AttemptOptions {
  dependency: string;
  timeoutMs: number;
  /** Outbound pacing; time spent waiting for a slot counts toward the deadline. */
  limiter?: Bottleneck;
  /** The caller's own cancellation: aborts the attempt with the caller's reason. */
  callerSignal?: AbortSignal;
}

export async function runAttempt<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  opts: AttemptOptions,
): Promise<T> {
  const controller = new AbortController();
  const { signal } = controller;
  let started = false;
  const aborted = new Promise<never>((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  aborted.catch(() => {}); // observed below; this only keeps an early abort from being "unhandled"
  const start = (): Promise<T> => {
    // The deadline passed (or the caller left) while this job waited for the limiter: skip it.
    if (signal.aborted) return Promise.reject(signal.reason);
    started = true;
    const work = new Promise<T>((resolve) => resolve(fn(signal))); // a synchronous throw becomes a rejection
    // Settle at the deadline even if fn never does, so a wedged call frees its limiter slot.
    return Promise.race([work, aborted]);
  };

  const timer = setTimeout(() => {
    const reason = started
      ? new DependencyTimeoutError(opts.dependency, opts.timeoutMs)
      : new DependencyBusyError(opts.dependency, opts.timeoutMs);
    controller.abort(reason);
  }, opts.timeoutMs);
  const onCallerAbort = () => controller.abort(opts.callerSignal?.reason);
  if (opts.callerSignal?.aborted) onCallerAbort();
  else opts.callerSignal?.addEventListener('abort', onCallerAbort, { once: true });

  try {
    const work = opts.limiter ? opts.limiter.schedule(start) : start();
    return await Promise.race([work, aborted]);
  } finally {
    clearTimeout(timer);
    opts.callerSignal?.removeEventListener('abort', onCallerAbort);
  }
}
