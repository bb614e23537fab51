import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics } from '../../src/observability/metrics.js';
import { readinessOf } from '../../src/resilience/health.js';
import { DependencyRegistry } from '../../src/resilience/registry.js';
import { captureLogs } from '../support/log-capture.js';
import { metricValue } from '../support/metric-values.js';

describe('DependencyRegistry', () => {
  it('creates one dependency per name with its configured policy and shows all of them in the snapshot', async (t) => {
    const metrics = createMetrics({ collectDefault: false });
    const registry = new DependencyRegistry({
      metrics,
      logger: captureLogs().logger,
      policies: { store: { timeoutMs: 1_111 } },
    });
    t.after(() => registry.shutdown());
    const store = registry.get('store');
    assert.equal(registry.get('store'), store, 'the same instance on every get');
    assert.equal(store.policy.timeoutMs, 1_111);
    await registry.get('bus').call(async () => 'ok');
    await registry.get('feed:globenewswire').call(async () => 'ok');

    const snap = registry.snapshot();
    assert.deepEqual(Object.keys(snap), ['bus', 'feed:globenewswire', 'store']);
    assert.equal(snap.bus!.state, 'closed');
    assert.equal(snap.bus!.counts.success, 1);
    assert.equal(snap.store!.counts.success, 0);
    assert.equal(snap['feed:globenewswire']!.policy.limiter?.maxConcurrent, 1, 'the feed default applies');
    // Series exist from creation, so alerts see a dependency before its first failure.
    assert.equal(
      await metricValue(metrics.registry, 'catalyst_dependency_calls_total', {
        dependency: 'store',
        outcome: 'failure',
      }),
      0,
    );
    assert.equal(
      await metricValue(metrics.registry, 'catalyst_dependency_breaker_state', { dependency: 'store' }),
      0,
    );
    assert.doesNotThrow(() => JSON.stringify(snap), 'the snapshot is plain JSON for /admin/dependencies');
    const guard = registry.get('store');
    assert.equal(guard.name, 'store');
  });

  it('maps each breaker state to a readiness view with its last latency and error', async (t) => {
    const registry = new DependencyRegistry({
      metrics: createMetrics({ collectDefault: false }),
      logger: captureLogs().logger,
      policies: { llm: { breaker: { volumeThreshold: 1, resetTimeoutMs: 60_000 } } },
    });
    t.after(() => registry.shutdown());
    const llm = registry.get('llm');
    await llm.call(async () => 'ok');
    const up = readinessOf(llm.snapshot());
    assert.equal(up.state, 'ok');
    assert.equal(up.breaker, 'closed');
    assert.equal(typeof up.latency_ms, 'number');
    assert.equal(up.error, undefined);
    await llm.call(async () => Promise.reject(new Error('502 from upstream'))).catch(() => {});
    await llm.call(async () => Promise.reject(new Error('502 from upstream'))).catch(() => {});
    assert.deepEqual(
      { ...readinessOf(llm.snapshot()), latency_ms: 0 },
      { state: 'down', breaker: 'open', latency_ms: 0, error: '502 from upstream' },
    );
  });

  it('after shutdown no breaker timer keeps the process alive and old instances reject', async () => {
    const registry = new DependencyRegistry({
      metrics: createMetrics({ collectDefault: false }),
      logger: captureLogs().logger,
    });
    const dep = registry.get('llm');
    registry.shutdown();
    assert.deepEqual(registry.snapshot(), {});
    await assert.rejects(dep.call(async () => 'x'));
  });
});
