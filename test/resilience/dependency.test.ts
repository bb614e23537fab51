import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CatalystError } from '../../src/domain/errors.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { Dependency } from '../../src/resilience/dependency.js';
import {
  DependencyTimeoutError,
  dependencyFailure,
  isBreakerOpenError,
  isDependencyTimeout,
} from '../../src/resilience/errors.js';
import type { DependencyPolicy } from '../../src/resilience/policy.js';
import { captureLogs } from '../support/log-capture.js';
import { metricValue } from '../support/metric-values.js';
import { waitFor, withDeadline } from '../support/wait.js';

const policy = (over: Partial<DependencyPolicy> = {}): DependencyPolicy => ({
  timeoutMs: 1_000,
  breaker: {
    volumeThreshold: 3,
    errorThresholdPercentage: 50,
    resetTimeoutMs: 300,
    rollingCountTimeoutMs: 10_000,
  },
  ...over,
});

function setup(p: DependencyPolicy = policy(), name = 'store') {
  const metrics = createMetrics({ collectDefault: false });
  const logs = captureLogs();
  const dep = new Dependency(name, p, { metrics, logger: logs.logger });
  return {
    metrics,
    logs,
    dep,
    value: (m: string, l: Record<string, string>) =>
      metricValue(metrics.registry, m, { dependency: name, ...l }),
  };
}

/** A fake dependency that counts how often it is reached and answers as told. */
function fake() {
  const f = {
    calls: 0,
    mode: 'fail' as 'fail' | 'ok' | 'hang',
    aborts: [] as unknown[],
    fn: async (signal: AbortSignal): Promise<string> => {
      f.calls++;
      if (f.mode === 'ok') return 'answer';
      if (f.mode === 'fail') throw new Error('connection refused');
      return new Promise<string>((_, reject) => {
        signal.addEventListener('abort', () => {
          f.aborts.push(signal.reason);
          reject(signal.reason);
        });
      });
    },
  };
  return f;
}

describe('Dependency breaker', () => {
  it('opens after its threshold, rejects fast while open, half-opens after the reset timeout and closes on success', async (t) => {
    const { dep, value, logs } = setup();
    t.after(() => dep.shutdown());
    const f = fake();

    for (let i = 0; i < 3; i++) {
      const err = await dep.call(f.fn).catch((e) => e);
      assert.ok(err instanceof CatalystError && err.code === 'unavailable', 'a failing call is unavailable');
      assert.equal((err.cause as Error).message, 'connection refused', 'the cause is the original error');
    }
    assert.equal(dep.snapshot().state, 'open');
    assert.equal(await value('catalyst_dependency_breaker_state', {}), 2);
    assert.equal(await value('catalyst_dependency_breaker_transitions_total', { to: 'open' }), 1);

    // While open: no call reaches the dependency, the rejection is fast and says when to retry.
    const before = f.calls;
    const started = performance.now();
    const rejected = await dep.call(f.fn).catch((e) => e);
    assert.ok(performance.now() - started < 200, 'rejected fast (the timeout is 1 s)');
    assert.equal(f.calls, before, 'no call reached the dependency while open');
    assert.ok(rejected instanceof CatalystError && rejected.code === 'unavailable');
    assert.ok(isBreakerOpenError(rejected.cause));
    assert.equal(dependencyFailure(rejected), 'open');
    assert.equal(rejected.retryAfter, 1, 'retryAfter is the remaining reset time, at least 1 s');
    assert.equal(await value('catalyst_dependency_calls_total', { outcome: 'rejected' }), 1);

    await waitFor(() => dep.snapshot().state === 'half_open', 'the breaker to half-open', 3_000);
    assert.equal(await value('catalyst_dependency_breaker_state', {}), 1);

    f.mode = 'ok';
    assert.equal(await dep.call(f.fn), 'answer');
    const snap = dep.snapshot();
    assert.equal(snap.state, 'closed');
    assert.deepEqual(snap.counts, { success: 1, failure: 3, timeout: 0, rejected: 1, fallback: 0 });
    assert.equal(snap.last_error?.message, 'connection refused');
    assert.ok(snap.last_latency_ms !== null && snap.last_latency_ms >= 0);
    assert.deepEqual(snap.policy, policy());
    assert.equal(await value('catalyst_dependency_breaker_state', {}), 0);
    assert.equal(await value('catalyst_dependency_breaker_transitions_total', { to: 'half_open' }), 1);
    assert.equal(await value('catalyst_dependency_breaker_transitions_total', { to: 'closed' }), 1);

    const transitions = logs.lines().filter((l) => l.breaker_to);
    assert.deepEqual(
      transitions.map((l) => [l.level, l.breaker_from, l.breaker_to]),
      [
        ['warn', 'closed', 'open'],
        ['info', 'open', 'half_open'],
        ['info', 'half_open', 'closed'],
      ],
    );
    assert.equal(
      transitions[0]!.last_error,
      'connection refused',
      'the opening line names the error that tripped it',
    );
  });

  it('lets one probe through when half-open and reopens when it fails', async (t) => {
    const { dep } = setup();
    t.after(() => dep.shutdown());
    const f = fake();
    for (let i = 0; i < 3; i++) await dep.call(f.fn).catch(() => {});
    await waitFor(() => dep.snapshot().state === 'half_open', 'half-open', 3_000);
    f.mode = 'hang';
    const probe = dep.call(f.fn).catch((e) => e);
    const second = await dep.call(f.fn).catch((e) => e);
    assert.ok(isBreakerOpenError(second.cause), 'a second call during the probe is rejected');
    assert.equal(f.calls, 4, 'only the probe reached the dependency');
    f.mode = 'fail';
    await withDeadline(probe, 'the probe to time out', 3_000);
    assert.equal(dep.snapshot().state, 'open', 'a failed probe reopens the breaker');
  });
});

describe('Dependency timeouts', () => {
  it('really cancels a timed-out call (the dependency sees the abort) and later calls still work', async (t) => {
    const { dep, value } = setup(policy({ timeoutMs: 50 }));
    t.after(() => dep.shutdown());
    const f = fake();
    f.mode = 'hang';
    const err = await withDeadline(
      dep.call(f.fn).catch((e) => e),
      'the timed-out call to settle',
      2_000,
    );
    assert.ok(err instanceof CatalystError && err.code === 'unavailable');
    assert.ok(err.cause instanceof DependencyTimeoutError);
    assert.ok(isDependencyTimeout(err));
    assert.equal(f.aborts.length, 1, 'the dependency saw the abort');
    assert.ok(f.aborts[0] instanceof DependencyTimeoutError, 'the abort reason is the timeout');

    // Later calls get a fresh, un-aborted signal.
    let seen: AbortSignal | undefined;
    const result = await dep.call(async (signal) => {
      seen = signal;
      return 'fine';
    });
    assert.equal(result, 'fine');
    assert.equal(seen?.aborted, false);
    assert.equal(dep.snapshot().counts.timeout, 1);
    assert.equal(await value('catalyst_dependency_calls_total', { outcome: 'timeout' }), 1);
    assert.equal(dep.snapshot().state, 'closed');
  });

  it('a wedged dependency (accepts, never answers, ignores aborts) never blocks the caller or the event loop', async (t) => {
    const { dep } = setup(
      policy({
        timeoutMs: 300,
        breaker: {
          volumeThreshold: 5,
          errorThresholdPercentage: 50,
          resetTimeoutMs: 10_000,
          rollingCountTimeoutMs: 10_000,
        },
      }),
    );
    t.after(() => dep.shutdown());
    let reached = 0;
    const wedged = () => {
      reached++;
      return new Promise<string>(() => {}); // never settles, never looks at its signal
    };
    // Measure the event loop while 20 calls are stuck: a 5 ms timer must keep firing on time.
    let maxLag = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      maxLag = Math.max(maxLag, now - last - 5);
      last = now;
    }, 5);
    t.after(() => clearInterval(ticker));
    const started = performance.now();
    const results = await withDeadline(
      Promise.allSettled(Array.from({ length: 20 }, () => dep.call(wedged))),
      'every call to settle',
      2_000,
    );
    assert.ok(
      results.every((r) => r.status === 'rejected'),
      'every call answered (unavailable)',
    );
    assert.ok(performance.now() - started < 1_500, 'all settled around the 300 ms deadline');
    assert.ok(maxLag < 150, `event loop lag stayed low (max ${maxLag.toFixed(1)} ms)`);
    assert.equal(dep.snapshot().state, 'open');

    const fastStart = performance.now();
    const rejected = await dep.call(wedged).catch((e) => e);
    assert.equal(dependencyFailure(rejected), 'open');
    assert.ok(
      performance.now() - fastStart < 100,
      'the open breaker answers without waiting for the 300 ms deadline',
    );
    assert.equal(reached, 20, 'the open breaker kept later calls away from the wedged dependency');
  });
});

describe('Dependency errors, retry, fallback, cancellation', () => {
  it("rethrows the caller's errors as-is and never counts them against the breaker", async (t) => {
    const { dep } = setup();
    t.after(() => dep.shutdown());
    const conflict = new CatalystError('conflict');
    let fallbackCalls = 0;
    for (let i = 0; i < 6; i++) {
      const err = await dep
        .call(
          async () => {
            throw conflict;
          },
          { idempotent: true, fallback: () => (fallbackCalls++, 'fb') },
        )
        .catch((e) => e);
      assert.equal(err, conflict, 'the same error object');
    }
    const custom = await dep
      .call(async () => Promise.reject(new Error('404 from feed')), {
        isCallerError: (e) => (e as Error).message.startsWith('404'),
      })
      .catch((e) => e);
    assert.equal(custom.message, '404 from feed');
    const snap = dep.snapshot();
    assert.equal(snap.state, 'closed');
    assert.equal(snap.counts.failure, 0);
    assert.equal(snap.counts.success, 7);
    assert.equal(fallbackCalls, 0, 'no fallback for a caller error');
  });

  it('retries idempotent calls with backoff, and only those', async (t) => {
    const { dep } = setup(policy({ retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 } }));
    t.after(() => dep.shutdown());
    let n = 0;
    const flaky = async () => {
      n++;
      if (n < 3) throw new Error(`flake ${n}`);
      return n;
    };
    assert.equal(await dep.call(flaky, { idempotent: true }), 3);
    n = 0;
    const err = await dep.call(flaky).catch((e) => e);
    assert.equal(dependencyFailure(err), 'failure');
    assert.equal(n, 1, 'a non-idempotent call is tried once');
  });

  it('answers from the fallback when the call fails and while the breaker is open', async (t) => {
    const { dep, value } = setup();
    t.after(() => dep.shutdown());
    const f = fake();
    const causes: unknown[] = [];
    const fallback = (e: unknown) => (causes.push(e), 'from keywords');
    for (let i = 0; i < 4; i++) assert.equal(await dep.call(f.fn, { fallback }), 'from keywords');
    assert.equal(f.calls, 3, 'the fourth call was answered while open, without the dependency');
    assert.ok(isBreakerOpenError(causes[3]), 'the fallback is told why');
    assert.equal(dep.snapshot().counts.fallback, 4);
    assert.equal(await value('catalyst_dependency_calls_total', { outcome: 'fallback' }), 4);
  });

  it("a caller's abort cancels the work, rejects with the caller's reason and is not a failure", async (t) => {
    const { dep } = setup(policy({ timeoutMs: 5_000 }));
    t.after(() => dep.shutdown());
    const f = fake();
    f.mode = 'hang';
    const ac = new AbortController();
    const call = dep.call(f.fn, { signal: ac.signal }).catch((e) => e);
    await waitFor(() => f.calls === 1, 'the call to start');
    ac.abort(new Error('client went away'));
    const err = await withDeadline(call, 'the aborted call', 1_000);
    assert.equal(err.message, 'client went away');
    assert.equal(f.aborts.length, 1);
    assert.equal(dep.snapshot().counts.failure, 0);
  });
});

describe('Dependency outbound limiter', () => {
  const paced = (timeoutMs: number) =>
    policy({
      timeoutMs,
      limiter: { maxConcurrent: 1 },
      breaker: {
        volumeThreshold: 100,
        errorThresholdPercentage: 50,
        resetTimeoutMs: 10_000,
        rollingCountTimeoutMs: 10_000,
      },
    });

  it('runs at most maxConcurrent calls at once', async (t) => {
    const { dep } = setup(paced(5_000));
    t.after(() => dep.shutdown());
    let running = 0;
    let peak = 0;
    const work = async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      return 'ok';
    };
    const ok = await Promise.all(Array.from({ length: 4 }, () => dep.call(work)));
    assert.deepEqual(ok, ['ok', 'ok', 'ok', 'ok']);
    assert.equal(peak, 1);
  });

  it('rejects a call that waited for the limiter past its deadline, not counting it against the dependency, and a wedged call frees its slot', async (t) => {
    const { dep } = setup(paced(100));
    t.after(() => dep.shutdown());
    // One call that never answers holds the only slot past the deadline of the one queued behind it.
    let queuedRan = false;
    const stuck = dep.call(() => new Promise<string>(() => {})).catch((e) => e);
    const queued = await dep.call(async () => ((queuedRan = true), 'late')).catch((e) => e);
    assert.equal(dependencyFailure(queued), 'busy');
    assert.equal(dependencyFailure(await stuck), 'timeout');
    assert.equal(queuedRan, false, 'the queued work never ran after its deadline');
    const { counts } = dep.snapshot();
    assert.equal(counts.rejected, 1);
    assert.equal(counts.timeout, 1);
    assert.equal(counts.failure, 0);
    assert.equal(
      await dep.call(async () => 'next'),
      'next',
      'the wedged call gave its slot back at its deadline',
    );
  });
});
