// Invariant 4: a subscriber that stops reading is closed with 4408 once its send buffer passes the
// limit; the server's memory stays bounded, and the other subscribers get everything on time.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { e2e, publishBatch, startNodeWithToken } from '../support/node.js';
import { makeSignal } from '../support/signals.js';
import { WsClient } from '../support/ws-client.js';

const SEND_BUFFER = 256 * 1024;
const BATCH = 25;
const SLOW_CLIENTS = 4;
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('e2e: slow consumer', () => {
  e2e(
    'clients that stop reading get 4408, memory stays bounded, a normal client gets everything',
    async (t) => {
      const { node, token } = await startNodeWithToken(t, {
        env: { CATALYST_SEND_BUFFER_BYTES: String(SEND_BUFFER) },
      });
      const normal = await WsClient.subscribed(node.wsUrl, token);
      t.after(() => normal.close());
      // ~7 KiB of metadata a signal, ~180 KiB a batch (a burst below the limit: readers keep up).
      const padding = 'x'.repeat(7 * 1024);
      let pushed = 0;
      let last = 0;
      let rssPeak = 0;
      const publishBatches = async (n: number) => {
        for (let b = 0; b < n; b++) {
          const batch = Array.from({ length: BATCH }, () => makeSignal({ metadata: { padding } }));
          pushed += Buffer.byteLength(JSON.stringify(batch));
          last = (await publishBatch(node.url, token, batch)).at(-1)?.seq ?? last;
          rssPeak = Math.max(rssPeak, node.rssBytes());
        }
      };
      // Warm up first: the heap grows to its working size whoever is subscribed; that is not measured.
      await publishBatches(40);
      const from = last;
      const since = (c: WsClient) => c.seqs().map((q) => q - from);

      // `watched` resumes reading soon, to see its close; the others stay paused while much more is pushed.
      const [watched, ...paused] = await Promise.all(
        Array.from({ length: 1 + SLOW_CLIENTS }, () => WsClient.subscribed(node.wsUrl, token)),
      );
      if (!watched) throw new Error('unreachable');
      t.after(() => {
        for (const c of [watched, ...paused]) c.close();
      });
      for (const c of [watched, ...paused]) c.pauseReading();
      const rssBefore = node.rssBytes();
      rssPeak = rssBefore;
      pushed = 0;

      // Past what the kernel's socket buffers absorb (a few MiB on loopback), the server's own buffer
      // for each paused client passes the limit: it closes them with 4408, queued behind that data.
      await publishBatches(48);
      watched.resumeReading();
      const closed = await watched.waitClosed(10_000);
      assert.deepEqual(closed, { code: 4408, reason: 'slow consumer: resume with since_seq' });
      const got = since(watched);
      assert.ok(
        got.length > 0 && got.length < last - from,
        `cut off part way (${got.length} of ${last - from})`,
      );
      assert.deepEqual(got, range(got.length), 'what it got before the close is gap-free and in order');

      await publishBatches(120);
      // The normal client is unaffected: every signal, in order.
      await normal.waitForSignals(last, 20_000);
      assert.deepEqual(normal.seqs(), range(last));
      const growth = rssPeak - rssBefore;
      t.diagnostic(
        `pushed ${(pushed / 2 ** 20).toFixed(1)} MiB at each of ${SLOW_CLIENTS} paused clients; server RSS grew by ${(growth / 2 ** 20).toFixed(1)} MiB`,
      );
      // Holding what the paused clients did not read would cost SLOW_CLIENTS x `pushed` (~120 MiB);
      // what remains is the heap's own breathing (~20 MiB here), hence the margin.
      assert.ok(
        growth < 1.5 * pushed,
        `RSS grew by ${growth} bytes while ${pushed} bytes were pushed at each paused client`,
      );

      // The server ended the paused ones too (a peer that never reads is cut 5 s after its 4408).
      for (const c of paused) {
        c.resumeReading();
        const end = await c.waitClosed(10_000);
        assert.ok(end.code === 4408 || end.code === 1006, `closed with ${end.code}`);
        const seqs = since(c);
        assert.ok(seqs.length < last - from);
        assert.deepEqual(seqs, range(seqs.length));
      }

      // The watched client resumes from its last seq and gets the rest exactly once.
      const resumed = await WsClient.subscribed(node.wsUrl, token, {}, from + got.length);
      t.after(() => resumed.close());
      await resumed.waitForSignals(last - from - got.length, 20_000);
      assert.deepEqual([...got, ...since(resumed)], range(last - from));
      assert.ok(node.running);
    },
    { timeout: 150_000 },
  );

  e2e('a reading client replays a backlog far larger than the send buffer without a 4408', async (t) => {
    const { node, token } = await startNodeWithToken(t, {
      env: { CATALYST_SEND_BUFFER_BYTES: String(64 * 1024) },
    });
    const padding = 'x'.repeat(7 * 1024);
    // 2000 signals of ~7 KiB: one replay page of 500 is ~3.6 MiB, fifty times the send buffer.
    for (let b = 0; b < 20; b++) {
      await publishBatch(
        node.url,
        token,
        Array.from({ length: 100 }, () => makeSignal({ metadata: { padding } })),
      );
    }
    const client = await WsClient.subscribed(node.wsUrl, token, {}, 0);
    t.after(() => client.close());
    await client.waitForSignals(2000, 20_000);
    assert.deepEqual(client.seqs(), range(2000));
    // Right after the replay it is live, below the limit: the next live signal and a pong go through.
    const live = await publishBatch(node.url, token, [makeSignal()]);
    await client.waitForSignals(2001, 5000);
    await client.caughtUp(live[0]?.seq ?? 0);
    assert.equal(client.closedWith, undefined);
  });
});
