import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff } from '../../src/client/backoff.js';

describe('reconnect backoff', () => {
  it('grows the ceiling by the factor up to the maximum, with full jitter below it', () => {
    const top = new Backoff({ minDelayMs: 100, maxDelayMs: 1000, factor: 2 }, () => 0.999999);
    assert.deepEqual(
      Array.from({ length: 6 }, () => top.next()),
      [100, 200, 400, 800, 1000, 1000],
    );
    const bottom = new Backoff({ minDelayMs: 100, maxDelayMs: 1000, factor: 2 }, () => 0);
    assert.deepEqual(
      Array.from({ length: 3 }, () => bottom.next()),
      [0, 0, 0],
    );
  });

  it('keeps every jittered delay within [0, ceiling]', () => {
    let x = 0.5;
    const random = () => (x = ((x * 9301 + 49297) % 233280) / 233280); // a fixed pseudo-random walk
    const b = new Backoff({ minDelayMs: 50, maxDelayMs: 5000, factor: 3 }, random);
    for (let i = 0; i < 50; i++) {
      const ceiling = b.ceiling();
      const d = b.next();
      assert.ok(d >= 0 && d <= ceiling && ceiling <= 5000, `delay ${d} outside [0, ${ceiling}]`);
    }
  });

  it('waits at least half of the throttled minimum after 4429 or 1013', () => {
    const b = new Backoff({ minDelayMs: 100, maxDelayMs: 10_000, throttledMinDelayMs: 3000 }, () => 0);
    assert.equal(b.next('throttled'), 1500);
    const high = new Backoff(
      { minDelayMs: 100, maxDelayMs: 10_000, throttledMinDelayMs: 3000 },
      () => 0.999999,
    );
    assert.equal(high.next('throttled'), 3000);
  });

  it('starts over after a reset', () => {
    const b = new Backoff({ minDelayMs: 10, factor: 2 }, () => 0.999999);
    b.next();
    b.next();
    assert.equal(b.ceiling(), 40);
    b.reset();
    assert.equal(b.attempts, 0);
    assert.equal(b.next(), 10);
  });
});
