// The two ways a guarded port calls its Dependency, shared by every guarded port: a `read` (safe
// to repeat, so the policy's retry applies) and a `write` (never retried: an attempt that timed out
// may still have taken effect). Both pass the caller's own AbortSignal as its cancellation.
import type { Dependency } from './dependency.js';

type Call = <T>(fn: (s: AbortSignal) => Promise<T>, signal?: AbortSignal) => Promise<T>;

export function portCalls(dep: Dependency): { read: Call; write: Call } {
  return {
    read: (fn, signal) => dep.call(fn, { idempotent: true, signal }),
    write: (fn, signal) => dep.call(fn, { signal }),
  };
}
