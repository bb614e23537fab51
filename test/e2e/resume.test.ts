// The delivery guarantee across a real forced disconnect: the node is SIGKILLed (no drain, no close
// frame) and restarted on the same port and data dir while publishers keep publishing and retrying
// with the same ids; the CatalystClient resumes by itself. Every acknowledged signal must reach it
// exactly once and in seq order.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { CatalystClient } from '../../src/client/index.js';
import type { Signal, SignalInput } from '../../src/domain/signal.js';
import { type CatalystNodeProcess, e2e, publish, publishBatch, startNodeWithToken } from '../support/node.js';
import { makeSignal } from '../support/signals.js';
import { runSubscribeCli } from '../support/subscribe-cli.js';
import { waitFor } from '../support/wait.js';

/** Publishes `signal` until the server acknowledges it, retrying with the same id through outages. */
async function publishUntilStored(node: CatalystNodeProcess, token: string, signal: SignalInput) {
  for (let attempt = 1; ; attempt++) {
    try {
      return { ...(await publish(node.url, token, signal)), attempt };
    } catch {
      // Pacing between retries of a refused connection, not a wait for an event.
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

describe('e2e: resume across a crash', () => {
  e2e(
    'every acknowledged signal arrives exactly once and in order across two SIGKILL + restart cycles',
    async (t) => {
      const { node, token } = await startNodeWithToken(t, { env: { CATALYST_HEARTBEAT_MS: '500' } });
      const client = new CatalystClient({
        url: node.wsUrl,
        token,
        reconnect: { minDelayMs: 10, maxDelayMs: 100 },
      });
      const received: Signal[] = [];
      const disconnects: number[] = [];
      const resets: unknown[] = [];
      client.on('signal', (s) => received.push(s));
      client.on('disconnected', (e) => disconnects.push(e.code));
      client.on('reset', (e) => resets.push(e));
      t.after(() => client.close());
      await client.connect();

      const acked = new Map<string, { seq: number; status: number; attempt: number }>();
      const worker = async (n: number) => {
        for (let i = 0; i < n; i++) {
          const s = makeSignal({ ticker: ['AAA', 'BBB', 'CCC'][i % 3] as string });
          acked.set(s.id, await publishUntilStored(node, token, s));
        }
      };
      const publishers = Promise.all([worker(100), worker(100), worker(100)]);
      const port = node.port;
      for (const at of [60, 180]) {
        await waitFor(() => acked.size >= at, `${at} acknowledged signals`, 20_000);
        await node.kill9();
        await node.restart();
        assert.equal(node.port, port, 'restarted on the same port');
      }
      await publishers;

      const want = [...acked.values()].map((a) => a.seq).sort((a, b) => a - b);
      assert.equal(want.length, 300);
      await waitFor(() => received.length >= want.length, `${want.length} signals at the client`, 20_000);
      const got = received.map((s) => s.seq);
      assert.deepEqual(got, want, 'each acknowledged seq once, ascending, nothing else');
      // The acknowledged seqs are the whole gap-free history (no signal was stored twice by a retry).
      assert.deepEqual(
        want,
        Array.from({ length: want.length }, (_, i) => i + 1),
      );
      for (const s of received)
        assert.equal(acked.get(s.id)?.seq, s.seq, `signal ${s.id} carries its acknowledged seq`);
      assert.ok(disconnects.length >= 2, `the client was really cut off (${disconnects.join(',')})`);
      assert.deepEqual(resets, [], 'same data dir, same epoch: no reset');
      assert.equal(client.position?.seq, want.at(-1));
    },
    { timeout: 150_000 },
  );

  e2e('`catalyst subscribe --since-seq N` replays from N+1 on the server epoch (no reset)', async (t) => {
    const { node, token } = await startNodeWithToken(t);
    await publishBatch(
      node.url,
      token,
      Array.from({ length: 5 }, () => makeSignal()),
    );
    const cli = runSubscribeCli(t, ['--since-seq', '2', '--server', node.url, '--token', token]);
    await waitFor(() => cli.seqs().length >= 3, 'three replayed signals on stdout', 15_000);
    await publish(node.url, token, makeSignal());
    await waitFor(() => cli.seqs().length >= 4, 'the live signal on stdout', 10_000);
    assert.equal(await cli.stop(), 0);
    assert.deepEqual(cli.seqs(), [3, 4, 5, 6]);
    assert.doesNotMatch(cli.stderr(), /reset/);
  });

  e2e('`catalyst subscribe` says when it reconnected and from where it resumed', async (t) => {
    const { node, token } = await startNodeWithToken(t);
    await publish(node.url, token, makeSignal());
    const cli = runSubscribeCli(t, ['--since-seq', '0', '--server', node.url, '--token', token]);
    await waitFor(() => cli.seqs().length >= 1, 'the first signal on stdout', 15_000);
    await node.kill9();
    await node.restart();
    await waitFor(() => /reconnected; resumed after seq 1 /.test(cli.stderr()), 'the resume line', 30_000);
    assert.equal(await cli.stop(), 0);
  });
});
