import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CatalystClient, CatalystClientError } from '../../src/client/index.js';
import { waitFor, withDeadline } from '../support/wait.js';
import { FakeCatalyst } from './support/fake-server.js';
import { range, seqs, setup } from './support/harness.js';

describe('client: connecting and authenticating', () => {
  it('authenticates with an auth message first, then subscribes with its filters', async (t) => {
    const { server, client } = await setup(t, {}, { filters: { min_confidence: 0.8 }, clientId: 'bot 1' });
    await withDeadline(client.connect(), 'connect');
    const session = server.current!;
    assert.equal(session.path, '/ws/bot%201');
    assert.equal(session.authorization, undefined);
    assert.deepEqual(session.received[0], { type: 'auth', token: server.token });
    assert.equal(session.received[1]?.type, 'subscribe');
    assert.deepEqual(session.received[1]?.filters, { min_confidence: 0.8 });
    assert.equal(client.connected, true);
  });

  it('can send the token as an Authorization header instead', async (t) => {
    const { server, client } = await setup(t, {}, { authVia: 'header' });
    await withDeadline(client.connect(), 'connect');
    assert.equal(server.current!.authorization, `Bearer ${server.token}`);
    assert.deepEqual(
      server.current!.received.map((m) => m.type),
      ['subscribe'],
    );
  });

  it('starts a fresh subscription at the head named in welcome and reports that as its position', async (t) => {
    const { server, client, seen } = await setup(t);
    server.publish(5);
    await withDeadline(client.connect(), 'connect');
    assert.equal(server.current!.subscribes[0]?.since_seq, 5);
    assert.equal(server.current!.subscribes[0]?.epoch, 'epoch-1');
    assert.deepEqual(client.position, { epoch: 'epoch-1', seq: 5 });
    server.publish(2);
    await waitFor(() => seen.signals.length === 2, 'two live signals');
    assert.deepEqual(seqs(seen.signals), [6, 7]);
    assert.deepEqual(client.position, { epoch: 'epoch-1', seq: 7 });
  });

  it('resumes from a saved position, replaying what it missed', async (t) => {
    const { server, client, seen } = await setup(t, {}, { position: { epoch: 'epoch-1', seq: 3 } });
    server.publish(6);
    await withDeadline(client.connect(), 'connect');
    assert.equal(server.current!.subscribes[0]?.since_seq, 3);
    await waitFor(() => seen.signals.length === 3, 'replay');
    assert.deepEqual(seqs(seen.signals), range(4, 6));
  });

  it('accepts frames that batch several messages in a JSON array', async (t) => {
    const { server, client, seen } = await setup(
      t,
      { batch: true },
      { position: { epoch: 'epoch-1', seq: 0 } },
    );
    server.publish(4);
    await withDeadline(client.connect(), 'connect');
    await waitFor(() => seen.signals.length === 4, 'batched replay');
    server.current!.send([
      { type: 'heartbeat', last_seq: 4 },
      { type: 'signal', seq: 5, signal: { ...server.stored[0], seq: 5 } },
    ]);
    await waitFor(() => seen.signals.length === 5, 'batched live frame');
    assert.deepEqual(seqs(seen.signals), range(1, 5));
  });

  it('answers ping with the pong and the stream position', async (t) => {
    const { server, client } = await setup(t);
    server.publish(2);
    await withDeadline(client.connect(), 'connect');
    const pong = await withDeadline(client.ping(), 'pong');
    assert.equal(pong.last_seq, 2);
    assert.ok(pong.rttMs >= 0);
  });
});

describe('client: fatal refusals', () => {
  it('stops on 4401: connect rejects, no reconnect, the iterator throws', async (t) => {
    const { server, client, seen } = await setup(t, { token: 'right' }, { token: 'wrong' });
    const iterator = client.signals();
    const err = await withDeadline(client.connect(), 'connect').then(
      () => assert.fail('connect should reject'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof CatalystClientError);
    assert.equal(err.code, 4401);
    assert.equal(err.fatal, true);
    await assert.rejects(
      iterator.next(),
      (e: unknown) => e instanceof CatalystClientError && e.code === 4401,
    );
    assert.deepEqual(
      seen.errors.map((e) => e.code),
      [4401],
    );
    assert.equal(seen.disconnected[0]?.willReconnect, false);
    assert.equal(server.sessions.length, 1);
  });

  it('treats 4403 (revoked while subscribed) as fatal too', async (t) => {
    const { server, client, seen } = await setup(t);
    await withDeadline(client.connect(), 'connect');
    server.current!.close(4403, 'revoked');
    await waitFor(() => seen.errors.length === 1, 'fatal error');
    assert.equal(seen.errors[0]?.code, 4403);
    assert.equal(server.sessions.length, 1);
    await assert.rejects(client.connect());
  });

  it('treats a refused upgrade (HTTP 401) like close 4401', async (t) => {
    const server = await FakeCatalyst.start({ rejectUpgradeWith: 401 });
    t.after(() => server.close());
    const client = new CatalystClient({ url: server.url, token: 'x', authVia: 'header' });
    await assert.rejects(withDeadline(client.connect(), 'connect'), (e: unknown) => {
      return e instanceof CatalystClientError && e.code === 4401 && /HTTP 401/.test(e.message);
    });
  });

  it('ends on a subscribe the server refuses as invalid, instead of retrying it forever', async (t) => {
    const { server, client } = await setup(t, {
      onMessage: (session, m) => {
        if (m.type !== 'subscribe') return false;
        session.send({ type: 'error', code: 'invalid_request', message: 'unknown filter colour' });
        return true;
      },
    });
    await assert.rejects(
      withDeadline(client.connect(), 'connect'),
      (e: unknown) => e instanceof CatalystClientError && e.code === 'invalid_request' && e.fatal,
    );
    await waitFor(() => server.current!.endedWith, 'the client to close');
    assert.equal(server.current!.endedWith, 1000);
    assert.equal(server.sessions.length, 1);
  });

  it('reports a server error message after subscribing without ending', async (t) => {
    const { server, client, seen } = await setup(t);
    await withDeadline(client.connect(), 'connect');
    server.current!.send({ type: 'error', code: 'rate_limited', message: 'slow down' });
    await waitFor(() => seen.errors.length === 1, 'the error event');
    assert.equal(seen.errors[0]?.fatal, false);
    assert.equal(client.connected, true);
  });
});

describe('client: closing', () => {
  it('close() during the handshake rejects connect() and resolves', async (t) => {
    const { server, client } = await setup(t, { onMessage: () => true }); // never answers auth
    const connecting = client.connect();
    await waitFor(() => server.current?.received.length === 1, 'the auth message');
    const refused = assert.rejects(connecting, /closed/);
    await withDeadline(client.close(), 'close');
    await refused;
  });

  it('close() while waiting to reconnect cancels the reconnect', async (t) => {
    const { server, client, seen } = await setup(
      t,
      {},
      { reconnect: { minDelayMs: 60_000, maxDelayMs: 60_000 } },
    );
    await withDeadline(client.connect(), 'connect');
    server.current!.close(1013);
    await waitFor(() => seen.disconnected.length === 1, 'the disconnect');
    assert.ok((seen.disconnected[0]?.delayMs ?? 0) >= 30_000);
    await withDeadline(client.close(), 'close');
    assert.equal(server.sessions.length, 1);
  });
});
