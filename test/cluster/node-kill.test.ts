// `kill -9` of a node that has connected clients and is taking publishes. The clients (CatalystClient,
// behind a TCP load balancer, as users deploy) reconnect to another node and resume with no gap and
// no duplicate; every signal the killed node acknowledged with a 2xx is delivered; a subscriber on a
// surviving node never notices anything.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { CatalystClient } from '../../src/client/index.js';
import type { Signal } from '../../src/domain/signal.js';
import { e2e, publish } from '../support/node.js';
import { requirePostgres, requireRedis } from '../support/servers.js';
import { makeSignal } from '../support/signals.js';
import { waitFor } from '../support/wait.js';
import { WsClient } from '../support/ws-client.js';
import { TcpBalancer } from './support/balancer.js';
import { Cluster } from './support/cluster.js';

describe('cluster: a node killed with clients connected', () => {
  e2e(
    'clients move to another node and resume with no gap or duplicate; 2xx from the dead node are delivered',
    async (t) => {
      if (!(await requirePostgres(t)) || !(await requireRedis(t))) return;
      const cluster = await Cluster.start(t, { nodes: 3, env: { CATALYST_HEARTBEAT_MS: '500' } });
      const [a, b, c] = [cluster.node(0), cluster.node(1), cluster.node(2)];
      const token = await cluster.token();

      // Until A dies the balancer sends everyone to A; then it offers all three (A refuses, is skipped).
      let pool = [a.port];
      const lb = await TcpBalancer.start(() => pool);
      t.after(() => lb.close());

      const clients = Array.from({ length: 4 }, (_, i) => {
        const client = new CatalystClient({
          url: `ws://127.0.0.1:${lb.port}/ws`,
          token,
          clientId: `desk-${i}`,
          reconnect: { minDelayMs: 10, maxDelayMs: 200 },
        });
        const received: Signal[] = [];
        const disconnects: number[] = [];
        const subscribedAt: number[] = [];
        client.on('signal', (s) => received.push(s));
        client.on('subscribed', () => subscribedAt.push(Date.now()));
        client.on('disconnected', (e) => disconnects.push(e.code));
        t.after(() => client.close());
        return { client, received, disconnects, subscribedAt };
      });
      await Promise.all(clients.map((x) => x.client.connect()));
      assert.deepEqual(lb.routed, [a.port, a.port, a.port, a.port], 'every client starts on A');
      const watcher = await WsClient.subscribed(b.wsUrl, token, {}, 0);
      t.after(() => watcher.close());

      // Publishers: two on A (until it dies), two on C (throughout). Only 2xx answers count.
      const acked = new Map<string, { seq: number; node: string }>();
      let failedOnA = 0;
      let stop = false;
      const worker = async (url: string, name: string, max: number) => {
        for (let i = 0; i < max && !stop; i++) {
          const s = makeSignal({ ticker: ['AAA', 'BBB'][i % 2] as string });
          try {
            const r = await publish(url, token, s);
            acked.set(r.id, { seq: r.seq, node: name });
          } catch {
            if (name === 'A') {
              failedOnA++;
              return; // A is gone
            }
            throw new Error(`publish to ${name} failed`);
          }
        }
      };
      const onC = [worker(c.url, 'C', 10_000), worker(c.url, 'C', 10_000)];
      const onA = [worker(a.url, 'A', 10_000), worker(a.url, 'A', 10_000)];
      await waitFor(
        () => [...acked.values()].filter((x) => x.node === 'A').length >= 80,
        '80 acknowledgements from A',
        30_000,
      );
      const beforeKill = Math.max(...clients.map((x) => x.received.length));
      assert.ok(beforeKill > 0, 'clients were receiving from A before the kill');

      await a.kill9();
      const killedAt = Date.now();
      pool = [a.port, b.port, c.port];
      await Promise.all(onA);
      // Keep publishing on C for a while after the kill, then stop.
      const ackedAtKill = acked.size;
      await waitFor(
        () => acked.size >= ackedAtKill + 100,
        '100 more acknowledgements from C after the kill',
        30_000,
      );
      stop = true;
      await Promise.all(onC);

      // Everything stored is 1..N, and every acknowledged id has its seq there (A's included).
      const [row] = await cluster.query<{ n: number; max: number }>(
        'SELECT count(*)::int AS n, max(seq)::int AS max FROM signals',
      );
      const { n, max } = row ?? { n: 0, max: -1 };
      assert.equal(n, max, 'stored seqs are gap-free');
      const ids = await cluster.query<{ id: string; seq: number }>(
        'SELECT id, seq::int AS seq FROM signals ORDER BY seq',
      );
      const storedSeq = new Map(ids.map((r) => [r.id, r.seq]));
      for (const [id, ack] of acked)
        assert.equal(storedSeq.get(id), ack.seq, `acknowledged ${id} (${ack.node}) is stored with its seq`);
      const all = Array.from({ length: n }, (_, i) => i + 1);

      const resumeDeadline = 30_000;
      for (const [i, x] of clients.entries()) {
        await waitFor(
          () => x.received.length >= n,
          `client ${i} to receive all ${n} stored signals`,
          resumeDeadline,
        );
      }
      const caughtUpMs = Date.now() - killedAt;
      const resubscribedMs = clients.map(
        (x) => (x.subscribedAt.find((at) => at >= killedAt) ?? Number.NaN) - killedAt,
      );
      await watcher.waitForSignals(n, 10_000);
      for (const [i, x] of clients.entries()) {
        assert.deepEqual(
          x.received.map((s) => s.seq),
          all,
          `client ${i}: every stored seq once and in order across the move`,
        );
        assert.ok(x.disconnects.length >= 1, `client ${i} was cut off by the kill`);
        assert.equal(x.client.position?.seq, n);
      }
      for (const s of clients[0]?.received ?? []) assert.equal(storedSeq.get(s.id), s.seq);
      assert.deepEqual(watcher.seqs(), all, 'the subscriber on B saw everything once, in order');
      assert.equal(watcher.closedWith, undefined, 'and stayed connected');
      const afterKill = lb.routed.slice(4);
      assert.ok(afterKill.length >= 4, 'every client reconnected through the balancer');
      assert.ok(
        afterKill.every((p) => p === b.port || p === c.port),
        'to B or C',
      );
      const fromA = [...acked.values()].filter((x) => x.node === 'A').length;
      t.diagnostic(
        `${fromA} signals acknowledged by A before kill -9 (${failedOnA} publishes cut off), ${acked.size - fromA} by C; ` +
          `${n} stored; clients resubscribed on B/C ${resubscribedMs.join(', ')} ms after the kill, ` +
          `all caught up ${caughtUpMs} ms after it (reconnects: ${clients
            .map((x) => x.disconnects.length)
            .join(',')})`,
      );
    },
    { timeout: 150_000 },
  );
});
