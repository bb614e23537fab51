// A minimal Guard: a per-call timeout with a fresh AbortSignal. Stands in until the breaker-backed
// Dependency is wired for a name.
import { CatalystError } from '../domain/errors.js';
import type { Guard } from './guard.js';

export function timeoutGuard(name: string, timeoutMs: number): Guard {
  return {
    name,
    async call<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
      const ac = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          fn(ac.signal),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              ac.abort();
              reject(
                new CatalystError('unavailable', `${name} timed out after ${timeoutMs} ms`, {
                  retryAfter: 1,
                }),
              );
            }, timeoutMs);
          }),
        ]);
      } catch (err) {
        if (err instanceof CatalystError) throw err;
        throw new CatalystError('unavailable', `${name} failed: ${(err as Error).message}`, {
          retryAfter: 1,
          cause: err,
        });
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
