// `it` with a per-test fixture from a conformance suite's factory: a factory that returns undefined
// (server missing, test skipped) runs nothing; cleanup runs whatever the test did.
import { it, type TestContext } from 'node:test';

export function fixtureTest<F extends { cleanup(): Promise<void> }>(
  factory: (t: TestContext) => Promise<F | undefined>,
) {
  return (title: string, fn: (f: F) => Promise<void>) =>
    it(title, async (t) => {
      const f = await factory(t);
      if (!f) return;
      try {
        await fn(f);
      } finally {
        await f.cleanup();
      }
    });
}
