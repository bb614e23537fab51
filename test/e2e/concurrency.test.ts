// Property: whatever the interleaving of many concurrent publishers (single POSTs, batches, re-POSTs
// of ids already sent), every subscriber sees its matches with no gap, no duplicate and in seq
// order, and the seqs the publishers were given are exactly 1..N. Each round draws its interleaving
// from a seeded generator; a failure names the seed (rerun with CATALYST_E2E_SEED=<seed>).
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { createRng } from '../../chaos/fault-proxy/src/rng.js';
import type { SignalInput } from '../../src/domain/signal.js';
import { type CatalystNodeProcess, e2e, request, startNodeWithToken, storeHead } from '../support/node.js';
import { makeSignal } from '../support/signals.js';
import { WsClient } from '../support/ws-client.js';

const TICKERS = ['AAA', 'BBB', 'CCC', 'DDD'];
const FILTERS = [
  {},
  { tickers: ['AAA', 'CCC'] },
  { min_confidence: 0.7 },
  { tickers: ['DDD'], sentiment: 'negative' },
];
const matches = (f: Record<string, unknown>, s: SignalInput) =>
  (!f.tickers || (f.tickers as string[]).includes(s.ticker)) &&
  (f.min_confidence === undefined || s.confidence >= (f.min_confidence as number)) &&
  (f.sentiment !== 'negative' || s.sentiment < 0);

const seeds = process.env.CATALYST_E2E_SEED
  ? [Number(process.env.CATALYST_E2E_SEED)]
  : Array.from({ length: 5 }, () => Math.floor(Math.random() * 2 ** 31));

describe('e2e: concurrent publishers', () => {
  let node: CatalystNodeProcess;
  let token: string;

  before(async () => {
    ({ node, token } = await startNodeWithToken(undefined));
  });

  after(() => node.dispose());

  for (const seed of seeds) {
    e2e(
      `seed ${seed}: no gap, duplicate or reordering at any subscriber, whatever the interleaving`,
      async (t) => {
        const random = createRng(seed);
        const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)] as T;
        // The store's head, and subscribers replaying from it: on two nodes the gateway's live position
        // may still lag the previous seed's last publishes.
        const head0 = await storeHead(node.url, token);

        const subscribers = await Promise.all(
          FILTERS.map((f) => WsClient.subscribed(node.wsUrl, token, f, head0)),
        );
        t.after(() => {
          for (const s of subscribers) s.close();
        });

        const sent: SignalInput[] = [];
        /** Ids re-posted while their first POST may still be in flight: that one may then get the 200. */
        const reposted = new Set<string>();
        const acked = new Map<string, number>();
        const assertStored = (status: number, id: string, body: unknown) =>
          assert.ok(
            status === 201 || (status === 200 && reposted.has(id)),
            `${status} for ${id}: ${JSON.stringify(body)}`,
          );
        const ack = (id: string, seq: number) => {
          const before = acked.get(id);
          assert.ok(before === undefined || before === seq, `id ${id} got seq ${seq} after ${before}`);
          acked.set(id, seq);
        };
        // Yields a random number of turns, so the publishers' requests interleave differently.
        const jitter = async () => {
          for (let n = Math.floor(random() * 4); n > 0; n--) await new Promise((r) => setImmediate(r));
        };
        const publisher = async (steps: number) => {
          for (let i = 0; i < steps; i++) {
            await jitter();
            const fresh = () => {
              const s = makeSignal({
                ticker: pick(TICKERS),
                confidence: Math.round(random() * 100) / 100,
                sentiment: Math.round((random() * 2 - 1) * 100) / 100,
              });
              sent.push(s);
              return s;
            };
            const roll = random();
            if (roll < 0.5) {
              const s = fresh();
              const r = await request(node.url, 'POST', '/signals', { token, body: s });
              assertStored(r.status, s.id, r.body);
              ack(s.id, r.body.seq);
            } else if (roll < 0.85 || sent.length === 0) {
              const batch = Array.from({ length: 1 + Math.floor(random() * 30) }, fresh);
              const r = await request(node.url, 'POST', '/signals/batch', { token, body: batch });
              assert.equal(r.status, 201, JSON.stringify(r.body));
              batch.forEach((s, k) => {
                assertStored(r.body.results[k].status, s.id, r.body.results[k]);
                ack(s.id, r.body.results[k].seq);
              });
            } else {
              const again = pick(sent); // a retry, possibly racing the original
              reposted.add(again.id);
              const r = await request(node.url, 'POST', '/signals', { token, body: again });
              assert.ok(r.status === 200 || r.status === 201, JSON.stringify(r.body));
              ack(again.id, r.body.seq);
            }
          }
        };

        // A late subscriber joins mid-way with since_seq, replaying while the publishing goes on.
        const publishers = Array.from({ length: 16 }, () => publisher(10 + Math.floor(random() * 15)));
        const joinAt = head0 + Math.floor(random() * 20);
        const late = (async () => {
          while (acked.size < 30) await new Promise((r) => setImmediate(r));
          return WsClient.subscribed(node.wsUrl, token, {}, joinAt);
        })();
        await Promise.all(publishers);
        const lateClient = await late;
        t.after(() => lateClient.close());

        const seqs = [...acked.values()].sort((a, b) => a - b);
        const head = seqs.at(-1) ?? head0;
        const n = head - head0;
        assert.deepEqual(
          seqs,
          Array.from({ length: n }, (_, i) => head0 + 1 + i),
          'the acknowledged seqs are gap-free and one per id',
        );
        assert.equal(acked.size, new Set(sent.map((s) => s.id)).size);

        const byId = new Map(sent.map((s) => [s.id, s]));
        const bySeq = new Map([...acked].map(([id, seq]) => [seq, byId.get(id) as SignalInput]));
        for (const [i, f] of FILTERS.entries()) {
          const sub = subscribers[i] as WsClient;
          const want = seqs.filter((q) => matches(f, bySeq.get(q) as SignalInput));
          await sub.waitForSignals(want.length, 15_000);
          await sub.caughtUp(head);
          assert.deepEqual(sub.seqs(), want, `subscriber ${JSON.stringify(f)} (seed ${seed})`);
          for (const s of sub.signals()) assert.equal(s.id, bySeq.get(s.seq)?.id);
        }
        await lateClient.waitForSignals(head - joinAt, 15_000);
        await lateClient.caughtUp(head);
        assert.deepEqual(
          lateClient.seqs(),
          Array.from({ length: head - joinAt }, (_, i) => joinAt + 1 + i),
          `late subscriber (seed ${seed})`,
        );
      },
    );
  }
});
