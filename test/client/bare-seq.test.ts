import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor, withDeadline } from '../support/wait.js';
import { range, seqs, setup } from './support/harness.js';

// `catalyst subscribe --since-seq N` knows a seq but no epoch: it passes `position: {epoch: '', seq: N}`.
describe('client: a position with an empty epoch (a bare seq)', () => {
  it('adopts the server epoch and replays from the seq, with no reset', async (t) => {
    const { server, client, seen } = await setup(
      t,
      { epoch: 'epoch-7' },
      { position: { epoch: '', seq: 3 } },
    );
    server.publish(6);
    await withDeadline(client.connect(), 'connect');
    assert.deepEqual(server.current!.subscribes[0], {
      type: 'subscribe',
      filters: {},
      since_seq: 3,
      epoch: 'epoch-7',
    });
    await waitFor(() => seen.signals.length === 3, 'the replay of 4..6');
    assert.deepEqual(seqs(seen.signals), range(4, 6));
    assert.deepEqual(seen.resets, []);
    assert.deepEqual(client.position, { epoch: 'epoch-7', seq: 6 });
  });

  it('after adopting, a later change of epoch is still a reset', async (t) => {
    const { server, client, seen } = await setup(t, {}, { position: { epoch: '', seq: 0 } });
    server.publish(2);
    await withDeadline(client.connect(), 'connect');
    await waitFor(() => seen.signals.length === 2, 'the replay');
    server.epoch = 'epoch-2';
    server.current!.close(1001);
    await waitFor(() => seen.resets.length === 1, 'reset on the new epoch');
    assert.equal(seen.resets[0]?.previous?.epoch, 'epoch-1');
  });
});
