import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics } from '../../src/observability/metrics.js';
import { DependencyRegistry } from '../../src/resilience/registry.js';
import { captureLogs } from '../support/log-capture.js';
import { metricValue } from '../support/metric-values.js';

describe('DependencyRegistry', () => {
  it('creates one dependency per name with its configured policy and shows all of them in the snapshot', async (t) => {
    const metrics = createMetrics({ collectDefault: false });
    const registry = new DependencyRegistry({ metrics, logger: captureLogs().logger, policies: { store: { timeoutMs: 1_111 } } });
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
    assert.equal(await metricValue(metrics.registry, 'catalyst_dependency_calls_total', { dependency: 'store', outcome: 'failure' }), 0);
    assert.equal(await metricValue(metrics.registry, 'catalyst_dependency_breaker_state', { dependency: 'store' }), 0);
    assert.doesNotThrow(() => JSON.stringify(snap), 'the snapshot is plain JSON for /admin/dependencies');
  });

  it('after shutdown no breaker timer keeps the process alive and old instances reject', async () => {
    const registry = new DependencyRegistry({ metrics: createMetrics({ collectDefault: false }), logger: captureLogs().logger });
    const dep = registry.get('llm');
    registry.shutdown();
    assert.deepEqual(registry.snapshot(), {});
    await assert.rejects(dep.call(async () => 'x'));
  });
});
