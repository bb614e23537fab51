// Three real nodes on one PostgreSQL database and one Redis prefix. Publishers post to node A and
// node C at the same time (single posts and batches, several in flight each); subscribers on every
// node, two on B. Each must receive every stored signal exactly once, in seq order, and all of them
// the same sequence, which is the store's (seq -> id as acknowledged to the publishers).
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { SignalInput } from '../../src/domain/signal.js';
import { e2e, publish, publishBatch } from '../support/node.js';
import { requirePostgres, requireRedis } from '../support/servers.js';
import { makeSignal } from '../support/signals.js';
import { WsClient } from '../support/ws-client.js';
import { Cluster, countKeys } from './support/cluster.js';

describe('cluster: order across nodes', () => {
  e2e(
    'a client on B gets signals published to A and C concurrently exactly once, in order, in the same order as every client',
    async (t) => {
      if (!(await requirePostgres(t)) || !(await requireRedis(t))) return;
      const cluster = await Cluster.start(t, { nodes: 3 });
      const [a, b, c] = [cluster.node(0), cluster.node(1), cluster.node(2)];
      const token = await cluster.token();
      const subs = await Promise.all([b, b, a, c].map((n) => WsClient.subscribed(n.wsUrl, token, {}, 0)));
      // One subscriber on B with a filter: it must see exactly the matching subsequence.
      const filtered = await WsClient.subscribed(b.wsUrl, token, { tickers: ['CCC'] }, 0);
      t.after(() => {
        for (const s of [...subs, filtered]) s.close();
      });

      const acked = new Map<string, number>();
      const sent = new Map<string, SignalInput>();
      const TICKERS = ['AAA', 'BBB', 'CCC'];
      const worker = async (url: string, w: number, rounds: number) => {
        for (let i = 0; i < rounds; i++) {
          const fresh = (n: number) =>
            Array.from({ length: n }, (_, k) => {
              const s = makeSignal({ ticker: TICKERS[(w + i + k) % 3] as string, source: `w${w}` });
              sent.set(s.id, s);
              return s;
            });
          if (i % 5 === 4) {
            for (const r of await publishBatch(url, token, fresh(7))) acked.set(r.id, r.seq);
          } else {
            const [s] = fresh(1);
            const r = await publish(url, token, s as SignalInput);
            acked.set(r.id, r.seq);
          }
        }
      };
      const started = Date.now();
      // Four writers on A and four on C at once: 8 x 40 rounds = 8 x (32 singles + 8 batches of 7).
      await Promise.all([
        ...[0, 1, 2, 3].map((w) => worker(a.url, w, 40)),
        ...[4, 5, 6, 7].map((w) => worker(c.url, w, 40)),
      ]);
      const publishMs = Date.now() - started;
      const total = acked.size;
      assert.equal(total, 8 * (32 + 8 * 7));

      // The store's order: seqs 1..N, gap-free, each id once.
      const seqs = [...acked.values()].sort((x, y) => x - y);
      assert.deepEqual(
        seqs,
        Array.from({ length: total }, (_, i) => i + 1),
        'acknowledged seqs are 1..N',
      );
      const storeOrder = [...acked.entries()].sort((x, y) => x[1] - y[1]).map(([id]) => id);

      for (const s of subs) await s.waitForSignals(total, 30_000);
      const deliveredMs = Date.now() - started;
      for (const [i, s] of subs.entries()) {
        const got = s.signals();
        assert.equal(got.length, total, `subscriber ${i}: no duplicate`);
        assert.deepEqual(
          got.map((x) => x.seq),
          seqs,
          `subscriber ${i}: every seq once and ascending`,
        );
        assert.deepEqual(
          got.map((x) => x.id),
          storeOrder,
          `subscriber ${i}: the store's order (seq -> id as acknowledged)`,
        );
      }
      const wantFiltered = storeOrder.filter((id) => sent.get(id)?.ticker === 'CCC');
      await filtered.waitForSignals(wantFiltered.length, 10_000);
      await filtered.caughtUp(total);
      assert.deepEqual(
        filtered.signals().map((x) => x.id),
        wantFiltered,
        'the filtered subscriber on B: exactly its matches, in store order',
      );
      // Both publishing nodes' signals reached B: the bus (or the store repair) carried them across.
      const sources = new Set(subs[0]?.signals().map((x) => x.source));
      assert.deepEqual([...sources].sort(), ['w0', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7']);
      t.diagnostic(
        `${total} signals published to A and C in ${publishMs} ms; all delivered to 4 subscribers on 3 nodes after ${deliveredMs} ms`,
      );
      assert.ok(
        (await countKeys(cluster.redisUrl, cluster.prefix)) > 0,
        'the nodes used the Redis bus under their own prefix',
      );
    },
    { timeout: 120_000 },
  );
});
