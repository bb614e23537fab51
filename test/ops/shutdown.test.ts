// Issue 3 on a real node: SIGTERM finishes the publish in flight (2xx before the exit) and drains
// subscribers with 1001; a second SIGTERM during a long drain forces a quick, non-zero exit.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { e2e, request, startNodeWithToken } from '../support/node.js';
import { requirePostgres } from '../support/servers.js';
import { makeSignal } from '../support/signals.js';
import { waitFor } from '../support/wait.js';
import { WsClient } from '../support/ws-client.js';
import { errorShape, inTransaction, nodeBehindProxy, round, timed } from './support.js';

describe('ops: graceful shutdown of a real node', () => {
  e2e(
    'SIGTERM with a slow publish in flight: it answers 201 before the exit, the subscriber gets it, then 1001',
    async (t) => {
      if (!(await requirePostgres(t))) return;
      const { proxy, db, token, node } = await nodeBehindProxy(t, ['publish', 'subscribe'], {
        CATALYST_DEP_STORE_TIMEOUT_MS: '10000',
      });
      const ws = await WsClient.subscribed(node.wsUrl, token);
      t.after(() => ws.close());

      // Every PostgreSQL reply 250 ms late: append's transaction takes well over a second.
      await proxy.addToxic({ name: 'slow', type: 'latency', attributes: { latency: 250, jitter: 0 } });
      const signal = makeSignal();
      let answeredAt = 0;
      const inFlight = request(node.url, 'POST', '/signals', { token, body: signal }).then((r) => {
        answeredAt = Date.now();
        return r;
      });
      // The append's transaction has reached PostgreSQL: the publish is in flight now.
      await waitFor(
        async () => (await inTransaction(db.url, db.name)) >= 1,
        'the append transaction to begin',
        10_000,
        20,
      );
      const stopping = timed(() => node.stop('SIGTERM', 30_000));
      await waitFor(
        () => node.logLines().some((l) => String(l.msg).startsWith('shutting down')),
        'the drain to start',
        5000,
      );
      // Stop accepting: a new publish or WebSocket during the drain is turned away (retry elsewhere).
      const late = await request(node.url, 'POST', '/signals', { token, body: makeSignal() });
      assert.equal(errorShape(late, 503, 'unavailable'), undefined);
      await assert.rejects(WsClient.open(node.wsUrl, { token }), /HTTP 503/);
      const ready = await request(node.url, 'GET', '/health/ready');
      assert.equal(ready.status, 503, 'readiness tells load balancers to go elsewhere');
      assert.equal((await request(node.url, 'GET', '/health/live')).status, 200);
      const { ms, value: code } = await stopping;
      const exitedAt = Date.now();
      const reply = await inFlight;
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      assert.ok(answeredAt > 0 && answeredAt <= exitedAt, 'answered before the process exited');
      const closed = await ws.waitClosed(5000);
      assert.equal(closed.code, 1001);
      assert.deepEqual(ws.seqs(), [reply.body.seq], 'the subscriber got the in-flight signal before 1001');
      assert.equal(code, 0);
      t.diagnostic(`slow publish finished during the drain; exit ${ms | 0} ms after SIGTERM`);
    },
    { timeout: 90_000 },
  );

  e2e('a second SIGTERM during a long drain exits at once with a non-zero code', async (t) => {
    const { node, token } = await startNodeWithToken(t, { env: { CATALYST_SHUTDOWN_GRACE_MS: '60000' } });
    // A subscriber that stopped reading never acknowledges the 1001: the drain waits its full grace.
    const stuck = await WsClient.subscribed(node.wsUrl, token);
    t.after(() => stuck.close());
    stuck.pauseReading();
    const exited = node.stop('SIGTERM', 30_000);
    await waitFor(
      () => node.logLines().some((l) => String(l.msg).startsWith('shutting down')),
      'the drain to start',
      5000,
    );
    assert.ok(node.running, 'still draining');
    const t0 = performance.now();
    process.kill(node.pid!, 'SIGTERM');
    const code = await exited;
    const ms = performance.now() - t0;
    assert.notEqual(code, 0);
    assert.ok(ms < 2000, `forced exit took ${round(ms)} ms`);
    assert.ok(node.logs.some((l) => l.includes('second SIGTERM')));
    t.diagnostic(`second SIGTERM: exit code ${code} after ${round(ms)} ms`);
  });
});
