// Revocation takes effect at once: sessions of a revoked token are closed 4403 (by the REST revoke
// on this node immediately, by `catalyst tokens revoke` in another process within the poll), the
// token stops working everywhere, and other tokens' sessions carry on.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe } from 'node:test';
import { CatalystClient, type CatalystClientError } from '../../src/client/index.js';
import { type CatalystNodeProcess, createToken, e2e, publish, request, startNode } from '../support/node.js';
import { makeSignal } from '../support/signals.js';
import { withDeadline } from '../support/wait.js';
import { WsClient } from '../support/ws-client.js';

const POLL_MS = 100;

describe('e2e: revoking a token', () => {
  let node: CatalystNodeProcess;
  let admin: string;
  let publisher: string;

  before(async () => {
    node = await startNode(undefined, { env: { CATALYST_REVOCATION_POLL_MS: String(POLL_MS) } });
    admin = (await createToken(node, ['admin'])).token;
    publisher = (await createToken(node, ['publish'])).token;
  });

  after(() => node.dispose());

  e2e('DELETE /admin/tokens/:name closes its sessions with 4403 at once; others are unaffected', async () => {
    const doomed = await createToken(node, ['subscribe']);
    const other = await createToken(node, ['subscribe']);
    const a = await WsClient.subscribed(node.wsUrl, doomed.token);
    const b = await WsClient.subscribed(node.wsUrl, doomed.token);
    const c = await WsClient.subscribed(node.wsUrl, other.token);
    const r = await request(node.url, 'DELETE', `/admin/tokens/${doomed.name}`, { token: admin });
    assert.equal(r.status, 204);
    for (const s of [a, b]) {
      const closed = await s.waitClosed(1000);
      assert.deepEqual(closed, { code: 4403, reason: 'token revoked' });
    }
    const ack = await publish(node.url, publisher, makeSignal());
    await c.waitForSignals(1);
    assert.equal(c.seqs()[0], ack.seq);
    assert.equal(c.closedWith, undefined);
    c.close();
    // Gone for good: REST 401, a new connection 4401, a second revoke 404.
    assert.equal((await request(node.url, 'GET', '/signals', { token: doomed.token })).status, 401);
    const again = await WsClient.open(node.wsUrl);
    again.send({ type: 'auth', token: doomed.token });
    assert.equal((await again.waitClosed()).code, 4401);
    assert.equal(
      (await request(node.url, 'DELETE', `/admin/tokens/${doomed.name}`, { token: admin })).status,
      404,
    );
  });

  e2e('`catalyst tokens revoke` from another process: its sessions get 4403 within a second', async () => {
    const doomed = await createToken(node, ['subscribe']);
    const s = await WsClient.subscribed(node.wsUrl, doomed.token);
    await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'tokens', 'revoke', doomed.name],
      {
        env: { ...node.env, NODE_NO_WARNINGS: '1' }, // the node's store: its data dir, or DATABASE_URL
      },
    );
    const revokedAt = Date.now();
    const closed = await s.waitClosed(1000);
    assert.equal(closed.code, 4403);
    assert.ok(Date.now() - revokedAt < 1000);
  });

  e2e('CatalystClient treats 4403 as fatal: the iterator throws and it does not reconnect', async (t) => {
    const doomed = await createToken(node, ['subscribe']);
    const client = new CatalystClient({
      url: node.wsUrl,
      token: doomed.token,
      reconnect: { minDelayMs: 5, maxDelayMs: 10 },
    });
    t.after(() => client.close());
    let reconnects = 0;
    client.on('reconnecting', () => reconnects++);
    await client.connect();
    const iterating = (async () => {
      for await (const _ of client.signals()) {
        // nothing is published for this test
      }
    })();
    await request(node.url, 'DELETE', `/admin/tokens/${doomed.name}`, { token: admin });
    const err = await withDeadline(
      iterating.then(
        () => assert.fail('the iterator ended without an error'),
        (e: CatalystClientError) => e,
      ),
      'the iterator to fail',
    );
    assert.equal(err.code, 4403);
    assert.equal(err.fatal, true);
    assert.equal(reconnects, 0);
  });
});
