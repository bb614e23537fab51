// The EventStore/TokenStore conformance suite: runs unchanged against every adapter. An adapter is
// done when this passes.
import assert from 'node:assert/strict';
import { describe, type TestContext } from 'node:test';
import type { EventStore } from '../../src/store/event-store.js';
import type { TokenStore } from '../../src/store/token-store.js';
import { fixtureTest } from '../support/fixture-test.js';
import { makeSignal } from '../support/signals.js';

export type Store = EventStore & TokenStore;

export interface StoreFixture {
  store: Store;
  /** Opens a second, independent handle on the same database (another node or process). */
  reopen(): Promise<Store>;
  cleanup(): Promise<void>;
}

export function eventStoreConformance(
  name: string,
  factory: (t: TestContext) => Promise<StoreFixture | undefined>,
) {
  describe(`EventStore conformance: ${name}`, () => {
    const withStore = fixtureTest(factory);

    withStore('an empty store has last seq 0 and a stable epoch', async ({ store, reopen }) => {
      assert.equal(await store.lastSeq(), 0);
      const epoch = await store.epoch();
      assert.match(epoch, /^[0-9a-f-]{36}$/);
      await store.migrate(); // migrating again changes nothing
      const other = await reopen();
      try {
        assert.equal(await other.epoch(), epoch);
      } finally {
        await other.close();
      }
    });

    withStore('seqs are assigned from 1, in input order, with created_at', async ({ store }) => {
      const inputs = [makeSignal(), makeSignal(), makeSignal()];
      const results = await store.append(inputs);
      assert.deepEqual(
        results.map((r) => (r.status === 'created' ? [r.signal.id, r.signal.seq] : r.status)),
        inputs.map((s, i) => [s.id, i + 1]),
      );
      for (const r of results) if (r.status === 'created') assert.ok(Date.parse(r.signal.created_at) > 0);
      assert.equal(await store.lastSeq(), 3);
      const got = await store.get(2);
      assert.equal(got?.id, inputs[1]?.id);
      assert.equal(await store.get(99), undefined);
    });

    withStore('a repeated id returns the original; different content is a conflict', async ({ store }) => {
      const s = makeSignal({ metadata: { a: 1, b: [1, 2] } });
      const [first] = await store.append([s]);
      assert.equal(first?.status, 'created');
      const [again] = await store.append([{ ...s, metadata: { b: [1, 2], a: 1 } }]);
      assert.equal(again?.status, 'duplicate');
      assert.equal(again?.status === 'duplicate' && again.signal.seq, 1);
      const [clash] = await store.append([{ ...s, title: 'something else' }]);
      assert.deepEqual(clash, { status: 'conflict', id: s.id, seq: 1 });
      // A batch repeating an id within itself stores it once.
      const t = makeSignal();
      const batch = await store.append([t, makeSignal(), t]);
      assert.deepEqual(
        batch.map((r) => r.status),
        ['created', 'created', 'duplicate'],
      );
      assert.equal(await store.lastSeq(), 3, 'duplicates and conflicts consume no seq');
    });

    withStore(
      'text beyond the Basic Multilingual Plane is stored and read back as sent, and filters on it',
      async ({ store }) => {
        // 1000 characters is the title limit: 2000 UTF-16 units, 4000 bytes of UTF-8.
        const s = makeSignal({
          title: '📈'.repeat(1000),
          source: 'wire-🚀',
          metadata: { note: '𝔸 é 中 👩‍🔬', '🔑': 1 },
        });
        const [r] = await store.append([s]);
        assert.equal(r?.status, 'created');
        const seq = r?.status === 'created' ? r.signal.seq : 0;
        const got = await store.get(seq);
        assert.deepEqual([got?.title, got?.source, got?.metadata], [s.title, s.source, s.metadata]);
        const bySource = await store.read({ afterSeq: 0, limit: 10, filter: { sources: ['wire-🚀'] } });
        assert.deepEqual(
          bySource.map((x) => x.seq),
          [seq],
        );
        const [again] = await store.append([{ ...s }]);
        assert.equal(again?.status, 'duplicate', 'the same text hashes the same after a round trip');
      },
    );

    withStore('read applies every filter, bounds and limit, and count agrees', async ({ store }) => {
      await store.append([
        makeSignal({
          ticker: 'AAA',
          catalyst: 'fda',
          source: 's1',
          confidence: 0.9,
          sentiment: 0.5,
          score: 3,
        }),
        makeSignal({ ticker: 'BBB', catalyst: 'merger', source: 's2', confidence: 0.5, sentiment: -0.5 }),
        makeSignal({
          ticker: 'AAA',
          catalyst: 'merger',
          source: 's2',
          confidence: 0.75,
          sentiment: 0,
          score: 1,
        }),
        makeSignal({
          ticker: 'CCC',
          catalyst: 'fda',
          source: 's1',
          confidence: 0.95,
          sentiment: 0.1,
          score: 2,
        }),
      ]);
      const seqs = async (q: Parameters<EventStore['read']>[0]) => {
        const rows = await store.read(q);
        assert.deepEqual(
          (await store.readJson(q)).map((j) => JSON.parse(j) as unknown),
          rows,
          'readJson = read',
        );
        const { limit: _limit, ...rest } = q;
        if (rows.length < q.limit) assert.equal(await store.count(rest), rows.length, 'count matches read');
        return rows.map((r) => r.seq);
      };
      assert.deepEqual(await seqs({ afterSeq: 0, limit: 100 }), [1, 2, 3, 4]);
      assert.deepEqual(await seqs({ afterSeq: 1, uptoSeq: 3, limit: 100 }), [2, 3]);
      assert.deepEqual(await seqs({ afterSeq: 0, limit: 2 }), [1, 2]);
      assert.deepEqual(await seqs({ afterSeq: 0, limit: 100, filter: { min_confidence: 0.75 } }), [1, 3, 4]);
      assert.deepEqual(
        await seqs({ afterSeq: 0, limit: 100, filter: { tickers: ['AAA', 'CCC'] } }),
        [1, 3, 4],
      );
      assert.deepEqual(await seqs({ afterSeq: 0, limit: 100, filter: { catalysts: ['merger'] } }), [2, 3]);
      assert.deepEqual(await seqs({ afterSeq: 0, limit: 100, filter: { sources: ['s1'] } }), [1, 4]);
      assert.deepEqual(await seqs({ afterSeq: 0, limit: 100, filter: { min_score: 2 } }), [1, 4]);
      assert.deepEqual(await seqs({ afterSeq: 0, limit: 100, filter: { sentiment: 'positive' } }), [1, 4]);
      assert.deepEqual(await seqs({ afterSeq: 0, limit: 100, filter: { sentiment: 'negative' } }), [2]);
      assert.deepEqual(await seqs({ afterSeq: 0, limit: 100, filter: { tickers: [] } }), []);
      assert.deepEqual(
        await seqs({
          afterSeq: 0,
          limit: 100,
          filter: { tickers: ['AAA'], catalysts: ['merger'], min_confidence: 0.7 },
        }),
        [3],
      );
      const [row] = await store.read({ afterSeq: 0, limit: 1 });
      assert.equal(row?.score, 3);
      assert.equal(row?.ticker, 'AAA');
    });

    withStore(
      'concurrent appenders on separate handles never leave a gap a tailing reader skips',
      async ({ store, reopen }) => {
        const handles = [store, await reopen(), await reopen()];
        try {
          const writers = 12;
          const perWriter = 15;
          const seen: number[] = [];
          let maxSeen = 0;
          let writing = true;
          // A reader that only ever asks for seq > the highest it saw: if a lower seq could commit
          // after a higher one, it would be skipped and the final set would have a hole.
          const reader = (async () => {
            while (writing || maxSeen < (await store.lastSeq())) {
              const rows = await handles[1]!.read({ afterSeq: maxSeen, limit: 1000 });
              for (const r of rows) {
                seen.push(r.seq);
                maxSeen = r.seq;
              }
              await new Promise((r) => setImmediate(r));
            }
          })();
          await Promise.all(
            Array.from({ length: writers }, async (_, w) => {
              for (let i = 0; i < perWriter; i++) {
                const h = handles[(w + i) % handles.length]!;
                await h.append(i % 3 === 0 ? [makeSignal(), makeSignal()] : [makeSignal()]);
              }
            }),
          );
          writing = false;
          await reader;
          const total = await store.lastSeq();
          assert.equal(total, writers * (perWriter + Math.ceil(perWriter / 3)));
          assert.deepEqual(
            seen,
            Array.from({ length: total }, (_, i) => i + 1),
          );
        } finally {
          await handles[1]!.close();
          await handles[2]!.close();
        }
      },
    );

    withStore(
      'a batch of 1000 is stored in one call with contiguous seqs and read back unchanged',
      async ({ store }) => {
        await store.append([makeSignal()]);
        const inputs = Array.from({ length: 1000 }, (_, i) =>
          makeSignal({
            ticker: `T${i % 7}`,
            score: i % 2 ? i / 10 : undefined,
            metadata: { i, tags: ['a', 'b'] },
          }),
        );
        const results = await store.append(inputs);
        assert.deepEqual(
          results.map((r) => (r.status === 'created' ? r.signal.seq : r.status)),
          inputs.map((_, i) => i + 2),
        );
        const read = await store.read({ afterSeq: 1, limit: 1000 });
        assert.deepEqual(
          read,
          results.map((r) => r.status === 'created' && r.signal),
        );
        assert.equal(await store.count({ afterSeq: 0, filter: { tickers: ['T3'] } }), 143);
      },
    );

    withStore(
      'the same ids appended at once through several handles are created once',
      async ({ store, reopen }) => {
        const handles = [store, await reopen(), await reopen()];
        try {
          const shared = Array.from({ length: 20 }, () => makeSignal());
          // Every handle appends the same ids, each in a different order and in several calls.
          const outcomes = (
            await Promise.all(
              handles.map(async (h, k) => {
                const mine = k % 2 ? [...shared].reverse() : shared;
                const results = [];
                for (let i = 0; i < mine.length; i += 5)
                  results.push(...(await h.append(mine.slice(i, i + 5))));
                return results;
              }),
            )
          ).flat();
          const created = outcomes.filter((r) => r.status === 'created');
          assert.equal(created.length, shared.length, 'each id created by exactly one call');
          assert.equal(
            outcomes.filter((r) => r.status === 'duplicate').length,
            shared.length * (handles.length - 1),
          );
          assert.equal(await store.lastSeq(), shared.length);
          const stored = await store.read({ afterSeq: 0, limit: 100 });
          assert.deepEqual(stored.map((s) => s.id).sort(), shared.map((s) => s.id).sort());
        } finally {
          await handles[1]!.close();
          await handles[2]!.close();
        }
      },
    );

    withStore('tokens: create, find by hash, list, conflict on name, revoke', async ({ store }) => {
      const rec = await store.createToken('bot', 'hash-1', ['subscribe', 'publish']);
      assert.deepEqual(rec.scopes, ['subscribe', 'publish']);
      await assert.rejects(store.createToken('bot', 'hash-2', ['admin']), { code: 'conflict' });
      const found = await store.findTokenByHash('hash-1');
      assert.equal(found?.name, 'bot');
      assert.equal(found?.revoked_at, null);
      assert.equal(await store.findTokenByHash('nope'), undefined);
      await store.createToken('ops', 'hash-3', ['admin']);
      assert.deepEqual((await store.listTokens()).map((t) => t.name).sort(), ['bot', 'ops']);
      const before = new Date(Date.now() - 1000).toISOString();
      assert.equal(await store.revokeToken('bot'), true);
      assert.equal(await store.revokeToken('bot'), false, 'already revoked');
      assert.equal(await store.revokeToken('missing'), false);
      assert.ok((await store.findTokenByHash('hash-1'))?.revoked_at);
      assert.deepEqual(await store.revokedSince(before), ['hash-1']);
      assert.deepEqual(await store.revokedSince(new Date(Date.now() + 60_000).toISOString()), []);
    });
  });
}
