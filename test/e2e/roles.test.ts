// Roles: an api node serves REST but no WebSocket, a gateway node the reverse, a pipeline node
// neither; an api and a gateway node on one store deliver through the store alone.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { createToken, e2e, publish, startNode } from '../support/node.js';
import { makeSignal } from '../support/signals.js';
import { WsClient } from '../support/ws-client.js';

describe('e2e: roles', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'catalyst-roles-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  e2e('api and gateway nodes split the work and share the store; pipeline serves only health', async (t) => {
    const api = await startNode(t, { dataDir, args: ['--role', 'api'] });
    const gateway = await startNode(t, { dataDir, args: ['--role', 'gateway'] });
    const pipeline = await startNode(t, { dataDir, args: ['--role', 'pipeline'] });
    const { token } = await createToken(dataDir, ['publish', 'subscribe']);

    const status = async (url: string, path: string, init?: RequestInit) =>
      (await fetch(url + path, init)).status;
    const post = {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '{}',
    };
    assert.equal(await status(api.url, '/ws'), 404, 'no WebSocket on an api node');
    assert.equal(await status(gateway.url, '/signals', post), 404, 'no publishing on a gateway node');
    assert.equal(await status(pipeline.url, '/signals', post), 404);
    assert.equal(await status(pipeline.url, '/ws'), 404);
    for (const n of [api, gateway, pipeline]) assert.equal(await status(n.url, '/health/ready'), 200);

    // Separate processes share no in-process bus: the gateway finds the signal by polling the store.
    const sub = await WsClient.authed(gateway.wsUrl, token);
    await sub.subscribe({ tickers: ['ROLE'] });
    const ack = await publish(api.url, token, makeSignal({ ticker: 'ROLE' }));
    assert.equal(ack.status, 201);
    const got = await sub.next((m) => m.type === 'signal', 10_000, 'the signal published on the api node');
    assert.equal(got.seq, ack.seq);
    sub.close();
  });
});
