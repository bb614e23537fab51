// Issue 3 on a real node: /health/ready with the bus down is 200 `degraded` naming the bus, and
// delivery goes on through the store. (Store down -> 503 is in breaker.test.ts.)
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { e2e, publish, request, startNodeWithToken } from '../support/node.js';
import { startPrivateRedis } from '../support/redis-server.js';
import { requireBinary } from '../support/servers.js';
import { makeSignal } from '../support/signals.js';
import { waitFor } from '../support/wait.js';
import { WsClient } from '../support/ws-client.js';
import { round, timed } from './support.js';

/** The first /health/ready answer whose status is `status`. */
const readyWith = (url: string, status: string) =>
  waitFor(
    async () => {
      const r = await request(url, 'GET', '/health/ready');
      return r.body?.status === status ? r : undefined;
    },
    `readiness to say ${status}`,
    10_000,
    25,
  );

describe('ops: readiness on a real node', () => {
  e2e(
    'bus (Redis) killed: ready stays 200 and says degraded, naming the bus; a subscriber still gets signals',
    async (t) => {
      if (!(await requireBinary(t, 'redis-server'))) return;
      const redis = await startPrivateRedis(t);
      const { node, token } = await startNodeWithToken(t, {
        env: { REDIS_URL: redis.url, CATALYST_REDIS_PREFIX: `ops-ready-${process.pid}-${Date.now()}` },
      });
      // The Redis bus may still be connecting when the node starts listening (degraded meanwhile).
      const ok = await readyWith(node.url, 'ok');
      assert.equal(ok.status, 200);
      assert.equal(ok.body.dependencies.bus.state, 'ok');
      const ws = await WsClient.subscribed(node.wsUrl, token);
      t.after(() => ws.close());
      const first = await publish(node.url, token, makeSignal());
      await ws.waitForSignals(1);
      assert.equal(ws.seqs()[0], first.seq);

      await redis.kill();
      const ready = await readyWith(node.url, 'degraded');
      assert.equal(ready.status, 200, 'degraded but serving is still ready');
      assert.notEqual(ready.body.dependencies.bus.state, 'ok');
      assert.match(ready.body.dependencies.bus.error ?? '', /bus/);
      assert.equal(ready.body.dependencies.store.state, 'ok');
      assert.equal(ready.body.dependencies.store.breaker, 'closed');
      assert.equal(typeof ready.body.dependencies.store.latency_ms, 'number');

      // Delivery without the bus: the live feed reads the store (every 200 ms while the bus is down).
      const delivered = await timed(async () => {
        const ack = await publish(node.url, token, makeSignal());
        await ws.waitForSignals(2, 5000);
        return ack;
      });
      assert.equal(delivered.value.status, 201);
      assert.deepEqual(ws.seqs(), [first.seq, delivered.value.seq]);
      assert.ok(delivered.ms < 1500, `publish-to-delivery with the bus down: ${round(delivered.ms)} ms`);
      t.diagnostic(`bus down: publish to delivery ${round(delivered.ms)} ms`);
    },
  );
});
