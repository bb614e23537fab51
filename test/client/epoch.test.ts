import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor, withDeadline } from '../support/wait.js';
import type { FakeServerOptions } from './support/fake-server.js';
import { range, seqs, setup } from './support/harness.js';

/** A server whose retained history starts at `oldest`: an older since_seq is answered with a reset. */
function retainedFrom(oldest: number, lastSeq: number): FakeServerOptions['onMessage'] {
  return (session, m) => {
    if (m.type !== 'subscribe' || (m.since_seq ?? 0) >= oldest) return false;
    session.send({ type: 'reset', epoch: 'epoch-1', last_seq: lastSeq });
    return true;
  };
}

describe('client: epochs and resets', () => {
  it('on a new epoch emits reset and, by default, continues live from the new head', async (t) => {
    const { server, client, seen } = await setup(t);
    server.publish(10);
    await withDeadline(client.connect(), 'connect');
    server.publish(2);
    await waitFor(() => seen.signals.length === 2, 'signals in the first epoch');
    // The store is restored from a backup: a new history whose seqs are lower than ours.
    server.epoch = 'epoch-2';
    server.stored.length = 4;
    server.current!.close(1001);
    await waitFor(() => seen.resets.length === 1 && client.connected, 'reset and resubscribe');
    assert.deepEqual(seen.resets[0], {
      epoch: 'epoch-2',
      last_seq: 4,
      reason: 'epoch_changed',
      previous: { epoch: 'epoch-1', seq: 12 },
    });
    assert.deepEqual(server.current!.subscribes[0], {
      type: 'subscribe',
      filters: {},
      since_seq: 4,
      epoch: 'epoch-2',
    });
    assert.deepEqual(client.position, { epoch: 'epoch-2', seq: 4 });
    server.publish(1);
    await waitFor(() => seen.signals.length === 3, 'a signal of the new epoch');
    assert.deepEqual(seqs(seen.signals), [11, 12, 5]);
  });

  it("with onEpochChange 'replay-all' replays the new history from its start", async (t) => {
    const { server, client, seen } = await setup(
      t,
      { epoch: 'epoch-2' },
      { position: { epoch: 'epoch-1', seq: 40 }, onEpochChange: 'replay-all' },
    );
    server.publish(3);
    await withDeadline(client.connect(), 'connect');
    assert.equal(server.current!.subscribes[0]?.since_seq, 0);
    await waitFor(() => seen.signals.length === 3, 'replay of the new history');
    assert.deepEqual(seqs(seen.signals), range(1, 3));
    assert.equal(seen.resets[0]?.previous?.seq, 40);
  });

  it('follows a server reset message: emits reset and subscribes again from its last_seq', async (t) => {
    const { server, client, seen } = await setup(
      t,
      { onMessage: retainedFrom(100, 120) },
      { position: { epoch: 'epoch-1', seq: 7 } },
    );
    server.publish(120);
    await withDeadline(client.connect(), 'connect');
    assert.deepEqual(
      server.current!.subscribes.map((m) => m.since_seq),
      [7, 120],
    );
    assert.deepEqual(seen.resets[0], {
      epoch: 'epoch-1',
      last_seq: 120,
      reason: 'server_reset',
      previous: { epoch: 'epoch-1', seq: 7 },
    });
    server.publish(1);
    await waitFor(() => seen.signals.length === 1, 'live signal after the reset');
    assert.deepEqual(seqs(seen.signals), [121]);
  });

  it("does not loop when 'replay-all' asks for a history the server refuses", async (t) => {
    const { server, client, seen } = await setup(
      t,
      { onMessage: retainedFrom(50, 60) },
      { position: { epoch: 'epoch-1', seq: 7 }, onEpochChange: 'replay-all' },
    );
    server.publish(60);
    await withDeadline(client.connect(), 'connect');
    assert.deepEqual(
      server.current!.subscribes.map((m) => m.since_seq),
      [7, 0, 60],
    );
    assert.equal(seen.resets.length, 2);
  });
});
