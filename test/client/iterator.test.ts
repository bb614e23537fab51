import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Signal } from '../../src/domain/signal.js';
import { waitFor, withDeadline } from '../support/wait.js';
import { range, seqs, setup } from './support/harness.js';

/** Reads `count` signals from the iterator. */
async function take(iterator: AsyncIterator<Signal>, count: number): Promise<Signal[]> {
  const got: Signal[] = [];
  while (got.length < count) {
    const r = await iterator.next();
    if (r.done) break;
    got.push(r.value);
  }
  return got;
}

describe('client: the signals() iterator', () => {
  it('yields signals in order; position moves as they are yielded, not as they arrive', async (t) => {
    const { server, client } = await setup(t);
    const iterator = client.signals();
    await withDeadline(client.connect(), 'connect');
    server.publish(5);
    await waitFor(() => client.queued === 5, 'five queued');
    assert.deepEqual(client.position, { epoch: 'epoch-1', seq: 0 });
    assert.deepEqual(seqs(await take(iterator, 3)), [1, 2, 3]);
    assert.deepEqual(client.position, { epoch: 'epoch-1', seq: 3 });
  });

  it('connects by itself and ends when the client is closed', async (t) => {
    const { server, client } = await setup(t);
    const got: Signal[] = [];
    const loop = (async () => {
      for await (const s of client.signals()) got.push(s);
    })();
    await waitFor(() => client.connected, 'connected');
    server.publish(2);
    await waitFor(() => got.length === 2, 'two signals');
    await client.close();
    await withDeadline(loop, 'the loop to end');
    assert.equal(server.current!.endedWith, 1000);
  });

  it('closes the client when the consumer leaves the loop early', async (t) => {
    const { server, client } = await setup(t);
    server.publish(3);
    const got: Signal[] = [];
    const loop = (async () => {
      for await (const s of client.signals()) {
        got.push(s);
        if (s.seq === 5) break;
      }
    })();
    await waitFor(() => client.connected, 'connected');
    server.publish(5);
    await withDeadline(loop, 'the loop to end');
    assert.deepEqual(seqs(got), [4, 5]);
    await waitFor(() => server.current!.endedWith, 'the server to see the close');
    assert.equal(server.current!.endedWith, 1000);
    await assert.rejects(client.connect(), /closed/);
  });
});

describe('client: backpressure', () => {
  it('a consumer that stops reading pauses the socket and holds at most highWaterMark; the server sheds it with 4408 and it resumes', async (t) => {
    const highWaterMark = 64;
    const { server, client, seen } = await setup(t, { slowConsumerBytes: 256 * 1024 }, { highWaterMark });
    const iterator = client.signals();
    await withDeadline(client.connect(), 'connect');
    const pad = { pad: 'x'.repeat(8000) }; // large signals fill the TCP buffers quickly
    let maxQueued = 0;
    // Publish until the server's slow-consumer policy trips: the kernel's socket buffers fill, then
    // the server's own send buffer passes its limit.
    while (
      server.current!.endedWith === undefined &&
      server.current!.closedWith === undefined &&
      server.lastSeq < 5000
    ) {
      server.publish(50, { metadata: pad });
      await new Promise((r) => setImmediate(r)); // let the client's socket events run
      maxQueued = Math.max(maxQueued, client.queued);
    }
    assert.equal(server.current!.closedWith, 4408, 'the server closed the slow consumer');
    assert.ok(client.paused, 'reading is paused');
    assert.ok(client.queued >= highWaterMark / 2, 'paused at the pause mark');
    assert.ok(maxQueued <= highWaterMark, `queued ${maxQueued} > ${highWaterMark}`);
    assert.equal(seen.disconnected.length, 0, 'the client itself dropped nothing');
    const total = server.lastSeq;

    // The consumer catches up: everything arrives once, in order, across the forced reconnect.
    const got = await withDeadline(take(iterator, total), 'every signal', 20_000);
    assert.deepEqual(seqs(got), range(1, total));
    assert.ok(seen.disconnected.some((d) => d.code === 4408 && d.willReconnect));
    assert.ok(server.sessions.length >= 2);
    assert.ok((server.sessions[1]!.subscribes[0]?.since_seq ?? 0) >= highWaterMark);
  });

  it('sheds signals that arrive past the mark in one frame, and resumes from the last one queued', async (t) => {
    const { server, client, seen } = await setup(t, {}, { highWaterMark: 10 });
    const iterator = client.signals();
    await withDeadline(client.connect(), 'connect');
    const made = server.publish(0);
    assert.equal(made.length, 0);
    // Store 30 without sending them, then send all 30 in one array frame.
    const session = server.current!;
    const filters = session.filters;
    session.filters = undefined;
    server.publish(30);
    session.filters = filters;
    session.send(server.stored.map((signal) => ({ type: 'signal', seq: signal.seq, signal })));
    await waitFor(() => seen.disconnected.length === 1, 'the client to drop the connection');
    assert.equal(seen.disconnected[0]?.reason, 'client queue full');
    assert.equal(client.queued, 10);
    assert.equal(server.sessions.length, 1, 'no reconnect while the queue is full');
    const got = await withDeadline(take(iterator, 30), 'all thirty');
    assert.deepEqual(seqs(got), range(1, 30));
    assert.equal(server.sessions[1]?.subscribes[0]?.since_seq, 10);
  });

  it('suspends the heartbeat watchdog while reading is paused: the silence is its own', async (t) => {
    const { server, client, seen } = await setup(
      t,
      { heartbeatMs: 40, heartbeats: true },
      { highWaterMark: 8 },
    );
    const iterator = client.signals();
    await withDeadline(client.connect(), 'connect');
    server.publish(6);
    await waitFor(() => client.paused, 'paused at the pause mark');
    const session = server.current!;
    const sent = session.heartbeatsSent;
    await waitFor(
      () => session.heartbeatsSent >= sent + 8,
      'eight heartbeat periods (over three watchdog timeouts)',
    );
    assert.equal(seen.disconnected.length, 0);
    assert.deepEqual(seqs(await take(iterator, 6)), range(1, 6));
    await waitFor(() => !client.paused, 'reading resumed');
    assert.equal(server.sessions.length, 1);
  });
});
