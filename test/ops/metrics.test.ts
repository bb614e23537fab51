// Issue 3 on a real node: /metrics after real traffic passes `promtool check metrics` and exports
// every metric docs/ARCHITECTURE.md promises; with CATALYST_METRICS_PORT it is served on the ops
// port only.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe } from 'node:test';
import { e2e, publish, request, startNode, startNodeWithToken } from '../support/node.js';
import { requireBinary } from '../support/servers.js';
import { makeSignal } from '../support/signals.js';
import { waitFor } from '../support/wait.js';
import { WsClient } from '../support/ws-client.js';
import { metricsText, sample } from './support.js';

/** The catalyst_* names listed under "Operations surface" in docs/ARCHITECTURE.md. */
function documentedMetrics(): string[] {
  const doc = readFileSync(new URL('../../docs/ARCHITECTURE.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Operations surface'));
  return [...new Set([...section.matchAll(/`(catalyst_[a-z_]+)(?:\{[^}]*\})?`/g)].map((m) => m[1]!))];
}

describe('ops: /metrics of a real node', () => {
  e2e(
    'after publishes and a WebSocket session: promtool check metrics passes; every documented metric is there',
    async (t) => {
      const promtool = await requireBinary(t, 'promtool');
      if (!promtool) return;
      const { node, token } = await startNodeWithToken(t);
      const ws = await WsClient.subscribed(node.wsUrl, token);
      const acks = [];
      for (let i = 0; i < 5; i++) acks.push(await publish(node.url, token, makeSignal()));
      await publish(node.url, token, { ...makeSignal(), id: acks[0]!.id, title: 'changed' }).catch(
        () => undefined,
      ); // 409
      await publish(node.url, token, makeSignal({ id: acks[1]!.id } as never)).catch(() => undefined);
      await request(node.url, 'POST', '/signals', { token, body: { id: 'bad' } }); // 400
      await request(node.url, 'GET', '/nowhere'); // 404
      await ws.waitForSignals(5);
      await ws.subscribe({}, 0); // a replay
      ws.close();
      await ws.waitClosed();
      // The server sees the close a moment after the client: wait for the gauge, not a sleep.
      await waitFor(
        async () => sample(await metricsText(node.url), 'catalyst_ws_sessions') === 0,
        'the session gauge to drop to 0',
      );

      const text = await metricsText(node.url);
      const check = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      assert.equal(check.status, 0, `promtool check metrics:\n${check.stdout}${check.stderr}`);

      const documented = documentedMetrics();
      assert.ok(documented.length >= 19, `the doc lists ${documented.length} metrics`);
      const exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
      const missing = documented.filter((name) => !exported.has(name));
      assert.deepEqual(missing, [], 'documented but not exported');
      for (const std of ['process_cpu_seconds_total', 'nodejs_eventloop_lag_seconds'])
        assert.ok(exported.has(std), `standard metric ${std}`);

      // The traffic shows up where it should.
      assert.equal(sample(text, 'catalyst_signals_published_total'), 5);
      assert.ok((sample(text, 'catalyst_ws_connects_total') ?? 0) >= 1);
      assert.ok((sample(text, 'catalyst_ws_disconnects_total') ?? 0) >= 1, 'the close is counted');
      assert.ok(
        (sample(text, 'catalyst_ws_messages_sent_total', { type: 'signal' }) ?? 0) >= 10,
        'live + replayed',
      );
      assert.ok(
        (sample(text, 'catalyst_http_requests_total', { status_code: '404' }) ?? 0) >= 1 ||
          /catalyst_http_requests_total\{[^}]*"404"/.test(text),
        'the 404 is counted',
      );
      assert.equal(sample(text, 'catalyst_dependency_breaker_state', { dependency: 'store' }), 0);
      assert.ok(
        (sample(text, 'catalyst_dependency_calls_total', { dependency: 'store', outcome: 'success' }) ?? 0) >
          0,
      );
    },
  );

  e2e('with CATALYST_METRICS_PORT: /metrics is on the ops port and 404 on the public one', async (t) => {
    const node = await startNode(t, { env: { CATALYST_METRICS_PORT: '0' } });
    const listening = node.logLines().find((l) => l.msg === 'catalyst listening');
    const opsPort = listening?.metrics_port as number | undefined;
    assert.ok(opsPort && opsPort !== node.port, `ops port ${opsPort}`);
    const pub = await request(node.url, 'GET', '/metrics');
    assert.equal(pub.status, 404);
    assert.equal(pub.body.error.code, 'not_found');
    const ops = await request<string>(`http://127.0.0.1:${opsPort}`, 'GET', '/metrics');
    assert.equal(ops.status, 200);
    assert.match(ops.headers.get('content-type') ?? '', /^text\/plain/);
    assert.ok(ops.body.includes('# TYPE catalyst_http_requests_total counter'));
    assert.equal(
      (await request(`http://127.0.0.1:${opsPort}`, 'GET', '/health/live')).status,
      404,
      'the ops port serves /metrics only',
    );
    assert.equal((await request(node.url, 'GET', '/health/live')).status, 200);
  });
});
