// Waiting on events with a deadline: tests never sleep to let something happen. A deadline only bounds
// a failure (a bound that is itself the guarantee is passed explicitly), so the default is sized for a
// loaded 2-core machine running two test files and their nodes at once.
const DEFAULT_DEADLINE_MS = 20_000;

export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = DEFAULT_DEADLINE_MS,
  intervalMs = 10,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function withDeadline<T>(p: Promise<T>, what: string, timeoutMs = DEFAULT_DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
        timeoutMs,
      );
    }),
  ]);
}
