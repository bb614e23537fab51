// Issue 3 on a real node: Sentry (SENTRY_DSN pointed at a local envelope receiver) gets a 5xx
// tagged with its request id, and nothing for 4xx.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { e2e, request, startNodeWithToken } from '../support/node.js';
import { requirePostgres } from '../support/servers.js';
import { startSentryReceiver } from '../support/sentry-receiver.js';
import { makeSignal } from '../support/signals.js';
import { waitFor } from '../support/wait.js';
import { nodeBehindProxy } from './support.js';

describe('ops: Sentry on a real node', () => {
  e2e('400 (including a pathologically nested body), 401 and 404 send nothing to Sentry', async (t) => {
    const sentry = await startSentryReceiver();
    t.after(() => sentry.close());
    const { node, token } = await startNodeWithToken(t, { env: { SENTRY_DSN: sentry.dsn } });

    const bad = await request(node.url, 'POST', '/signals', {
      token,
      body: { ...makeSignal(), confidence: 7 },
    });
    assert.equal(bad.status, 400);
    assert.equal(
      (await request(node.url, 'POST', '/signals', { token: 'nope', body: makeSignal() })).status,
      401,
    );
    assert.equal((await request(node.url, 'GET', '/nowhere')).status, 404);

    // Metadata nested 30,000 deep once overflowed the stack in validation (a 500); now it is a 400
    // like any bad input, and sends nothing either. A server-side 500 reaching Sentry with its
    // request id is proven in test/observability/sentry.test.ts; the 503 below proves it on a node.
    const deep = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
    const body = JSON.stringify({ ...makeSignal(), metadata: { x: 0 } }).replace('{"x":0}', `{"x":${deep}}`);
    const nested = await request(node.url, 'POST', '/signals', { token, rawBody: body });
    assert.equal(nested.status, 400, JSON.stringify(nested.body));
    assert.equal(nested.body.error.field, 'metadata');

    assert.equal(
      sentry.events.length,
      0,
      `events: ${sentry.events.map((e) => JSON.stringify(e.tags)).join(', ')}`,
    );
  });

  e2e('a 503 from an unreachable store reaches Sentry with its request id', async (t) => {
    if (!(await requirePostgres(t))) return;
    const sentry = await startSentryReceiver();
    t.after(() => sentry.close());
    const { proxy, token, node } = await nodeBehindProxy(t, ['publish'], {
      SENTRY_DSN: sentry.dsn,
      CATALYST_DEP_STORE_TIMEOUT_MS: '500',
    });
    await proxy.setEnabled(false); // PostgreSQL refuses connections now
    const r = await request(node.url, 'POST', '/signals', { token, body: makeSignal() });
    assert.equal(r.status, 503);
    const requestId = r.headers.get('x-request-id');
    assert.ok(requestId);
    const event = await waitFor(
      () => sentry.events.find((e) => e.tags?.request_id === requestId),
      'the 503 in Sentry',
      10_000,
      20,
    );
    assert.equal(event.tags?.status_code, '503');
    // The chain as Sentry shows it: the 503's CatalystError and its cause, the refused connection.
    const chain = (event.exception?.values ?? []).map((v) => v.value ?? '');
    assert.ok(
      chain.some((v) => /store is unavailable/.test(v)),
      chain.join(' <- '),
    );
    assert.ok(
      chain.some((v) => /ECONNREFUSED/.test(v)),
      chain.join(' <- '),
    );
  });
});
