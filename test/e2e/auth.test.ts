// Authentication on the WebSocket and on REST: 4401 for a bad or missing token and on auth timeout,
// 4403 for a token without the subscribe scope; the good paths by message and by header.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { type CatalystNodeProcess, createToken, e2e, request, startNode } from '../support/node.js';
import { makeSignal } from '../support/signals.js';
import { WsClient } from '../support/ws-client.js';

const AUTH_TIMEOUT_MS = 400;

describe('e2e: authentication', () => {
  let node: CatalystNodeProcess;
  let subscriber: string;
  let publisher: string;

  before(async () => {
    node = await startNode(undefined, {
      env: { CATALYST_AUTH_TIMEOUT_MS: String(AUTH_TIMEOUT_MS), CATALYST_HEARTBEAT_MS: '200' },
    });
    subscriber = (await createToken(node, ['subscribe'])).token;
    publisher = (await createToken(node, ['publish'])).token;
  });

  after(() => node.dispose());

  e2e('no auth message within the auth timeout: 4401', async () => {
    const c = await WsClient.open(node.wsUrl);
    const t0 = Date.now();
    const closed = await c.waitClosed(5000);
    const elapsed = Date.now() - t0;
    assert.equal(closed.code, 4401);
    assert.match(closed.reason, /auth timeout/);
    assert.ok(
      elapsed >= AUTH_TIMEOUT_MS - 50 && elapsed < AUTH_TIMEOUT_MS + 2000,
      `closed after ${elapsed} ms`,
    );
    assert.equal(c.messages.length, 0);
  });

  e2e('a connection that only pings is still closed at the auth timeout', async () => {
    const c = await WsClient.open(node.wsUrl);
    c.send({ type: 'ping', ts: 1 });
    await c.next((m) => m.type === 'pong');
    assert.equal((await c.waitClosed(5000)).code, 4401);
  });

  for (const [name, token] of [
    ['an unknown token', 'cat_not-a-real-token'],
    ['a token of the wrong shape', 'x'.repeat(500)],
  ] as const) {
    e2e(`${name} in the auth message: 4401, no welcome`, async () => {
      const c = await WsClient.open(node.wsUrl);
      c.send({ type: 'auth', token });
      const closed = await c.waitClosed();
      assert.equal(closed.code, 4401);
      assert.ok(!c.messages.some((m) => m.type === 'welcome'));
    });

    e2e(`${name} in the Authorization header: 4401, no welcome`, async () => {
      const c = await WsClient.open(node.wsUrl, { token });
      assert.equal((await c.waitClosed()).code, 4401);
      assert.ok(!c.messages.some((m) => m.type === 'welcome'));
    });
  }

  e2e('an empty Bearer header: 4401', async () => {
    const c = await WsClient.open(node.wsUrl, { token: '' });
    assert.equal((await c.waitClosed()).code, 4401);
  });

  e2e('subscribe before auth: 4401', async () => {
    const c = await WsClient.open(node.wsUrl);
    c.send({ type: 'subscribe', filters: {} });
    const closed = await c.waitClosed();
    assert.equal(closed.code, 4401);
    assert.ok(!c.messages.some((m) => m.type === 'subscribed'));
  });

  e2e('a token without the subscribe scope: 4403', async () => {
    const c = await WsClient.open(node.wsUrl);
    c.send({ type: 'auth', token: publisher });
    assert.equal((await c.waitClosed()).code, 4403);
  });

  e2e(
    'a good token by message: welcome with this epoch, the head and heartbeat_ms; heartbeats follow',
    async () => {
      const c = await WsClient.open(`${node.wsUrl}/desk-7`);
      c.send({ type: 'auth', token: subscriber });
      const welcome = await c.next((m) => m.type === 'welcome');
      assert.equal(welcome.client_id, 'desk-7');
      assert.equal(welcome.epoch, node.epoch);
      assert.equal(typeof welcome.last_seq, 'number');
      assert.equal(welcome.heartbeat_ms, 200);
      // Authenticated past the auth timeout, and idle: heartbeats, not a close.
      const beat = await c.next((m) => m.type === 'heartbeat', 3000, 'heartbeat');
      assert.equal(typeof beat.last_seq, 'number');
      await c.next((m) => m.type === 'heartbeat', 3000, 'a second heartbeat');
      assert.equal(c.closedWith, undefined);
      // A second auth is a bad message, not a reason to close.
      c.send({ type: 'auth', token: subscriber });
      const err = await c.next((m) => m.type === 'error');
      assert.equal(err.code, 'invalid_request');
      assert.equal(c.closedWith, undefined);
      c.close();
    },
  );

  e2e('a good token in the Authorization header: welcome without an auth message', async () => {
    const c = await WsClient.open(node.wsUrl, { token: subscriber });
    await c.next((m) => m.type === 'welcome');
    assert.equal((await c.subscribe({})).type, 'subscribed');
    c.close();
  });

  e2e(
    'auth and subscribe sent together (one frame, not waiting for welcome): welcome then subscribed',
    async () => {
      const c = await WsClient.open(node.wsUrl);
      c.send([
        { type: 'auth', token: subscriber },
        { type: 'subscribe', filters: {} },
      ]);
      await c.next((m) => m.type === 'welcome');
      await c.next((m) => m.type === 'subscribed');
      c.close();
    },
  );

  e2e(
    'a subscribe sent on open, while the Authorization header is still being checked: welcome then subscribed',
    async () => {
      const c = await WsClient.open(node.wsUrl, { token: subscriber });
      c.send({ type: 'subscribe', filters: {} });
      await c.next((m) => m.type === 'welcome');
      await c.next((m) => m.type === 'subscribed');
      c.close();
    },
  );

  e2e('a bad token followed at once by a subscribe: still 4401, never subscribed', async () => {
    const c = await WsClient.open(node.wsUrl);
    c.send([
      { type: 'auth', token: 'cat_bogus' },
      { type: 'subscribe', filters: {} },
    ]);
    assert.equal((await c.waitClosed()).code, 4401);
    assert.ok(!c.messages.some((m) => m.type === 'subscribed' || m.type === 'welcome'));
  });

  e2e('a client_id outside the allowed characters: 4400', async () => {
    const c = await WsClient.open(`${node.wsUrl}/${encodeURIComponent('bad id!')}`);
    assert.equal((await c.waitClosed()).code, 4400);
  });

  e2e('REST: missing or bad token 401, missing scope 403, each in the error shape', async () => {
    const cases: Array<[string, string, string | undefined, number, string]> = [
      ['POST', '/signals', undefined, 401, 'unauthorized'],
      ['POST', '/signals', 'cat_bogus', 401, 'unauthorized'],
      ['POST', '/signals', subscriber, 403, 'forbidden'],
      ['GET', '/signals', undefined, 401, 'unauthorized'],
      ['GET', '/signals', publisher, 403, 'forbidden'],
      ['GET', '/signals/1', 'cat_bogus', 401, 'unauthorized'],
      ['GET', '/admin/tokens', subscriber, 403, 'forbidden'],
    ];
    for (const [method, path, token, status, code] of cases) {
      const r = await request(node.url, method, path, {
        ...(token === undefined ? {} : { token }),
        ...(method === 'POST' ? { body: makeSignal() } : {}),
      });
      assert.equal(r.status, status, `${method} ${path} with ${token ?? 'no token'}`);
      assert.equal(r.body.error.code, code);
      assert.equal(typeof r.body.error.message, 'string');
    }
    // None of those stored anything.
    const list = await request(node.url, 'GET', '/signals', { token: subscriber });
    assert.deepEqual(list.body.signals, []);
  });
});
