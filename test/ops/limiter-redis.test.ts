// The rate limiters' Redis is a dependency like any other: registered, with its breaker in
// /admin/dependencies, /health/ready and the metrics; killed, its breaker opens and the in-memory
// insurance answers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';
import { createToken, e2e, request, startNode } from '../support/node.js';
import { startPrivateRedis } from '../support/redis-server.js';
import { requireBinary } from '../support/servers.js';
import { waitFor } from '../support/wait.js';
import { metricsText, sample } from './support.js';

describe("the rate limiters' Redis", () => {
  e2e('shows in /admin/dependencies and the breaker metrics, and opens when Redis is killed', async (t) => {
    if (!(await requireBinary(t, 'redis-server'))) return;
    const redis = await startPrivateRedis(t);
    const node = await startNode(t, {
      env: {
        REDIS_URL: redis.url,
        CATALYST_REDIS_PREFIX: `ops-lr-${process.pid}-${randomBytes(3).toString('hex')}`,
        CATALYST_DEP_REDIS_BREAKER_VOLUME: '3',
      },
    });
    const { token } = await createToken(node, ['subscribe', 'admin']);
    assert.equal((await request(node.url, 'GET', '/signals', { token })).status, 200);
    const before = await request(node.url, 'GET', '/admin/dependencies', { token });
    assert.equal(before.body.dependencies.redis?.state, 'closed', 'the limiter Redis is listed');
    assert.ok(before.body.dependencies.redis.counts.success >= 1, 'limiter calls go through it');
    const m0 = await metricsText(node.url);
    assert.equal(sample(m0, 'catalyst_dependency_breaker_state', { dependency: 'redis' }), 0);

    await redis.kill();
    // Every request consumes from the limiter: failures open the breaker, the insurance answers.
    await waitFor(
      async () => {
        const r = await request(node.url, 'GET', '/signals', { token });
        assert.equal(r.status, 200, 'requests keep being answered with Redis dead');
        const d = await request(node.url, 'GET', '/admin/dependencies', { token });
        return d.body.dependencies.redis?.state === 'open';
      },
      'the limiter Redis breaker to open',
      10_000,
      50,
    );
    const m1 = await metricsText(node.url);
    assert.equal(sample(m1, 'catalyst_dependency_breaker_state', { dependency: 'redis' }), 2);
    assert.ok(
      (sample(m1, 'catalyst_dependency_calls_total', { dependency: 'redis', outcome: 'fallback' }) ?? 0) > 0,
    );
    const ready = await request(node.url, 'GET', '/health/ready');
    assert.equal(ready.body.dependencies.redis?.state, 'down', 'readiness names it');
    assert.equal(ready.status, 200, 'a dead limiter Redis degrades the node, it does not take it out');
  });
});
