// What the pipeline remembers lives in the store, not in the process: after a restart (a new
// processor over a reopened store) an item already decided is not judged again, the same story
// arriving on another wire is still recognised, and news older than the configured age is recorded
// as stale, not signalled; and two nodes sharing the store publish a story that reaches each on a
// different wire at the same moment once. Run on both store adapters.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import type { SignalInput } from '../../src/domain/signal.js';
import type { NewsItem } from '../../src/pipeline/item.js';
import type { PipelineLedger } from '../../src/pipeline/ledger.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { requirePostgres } from '../support/servers.js';
import { createTestDatabase } from '../store/postgres-database.js';
import { testProcessor } from '../support/processor.js';

interface Opened {
  ledger: PipelineLedger;
  close(): Promise<void>;
}

/** Opens the same store again and again (a restart), and removes it when the test ends. */
type StoreFixture = (t: TestContext) => Promise<(() => Promise<Opened>) | undefined>;

const sqlite: StoreFixture = async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'catalyst-ledger-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return async () => {
    const s = new SqliteStore(join(dir, 'db.sqlite'));
    await s.migrate();
    return { ledger: s.pipelineLedger(), close: () => s.close() };
  };
};

const postgres: StoreFixture = async (t) => {
  if (!(await requirePostgres(t))) return undefined;
  const db = await createTestDatabase();
  t.after(() => db.drop());
  return async () => {
    const s = new PostgresStore({ url: db.url, poolMax: 2, applicationName: 'catalyst-test' });
    await s.migrate();
    return { ledger: s.pipelineLedger(), close: () => s.close() };
  };
};

const NOW = Date.parse('2026-11-18T16:00:00Z');

const release = (id: string, kind: 'globenewswire' | 'prnewswire', title: string, minutesAgo: number) => {
  const item: NewsItem = {
    id,
    feed: kind,
    kind,
    key: id,
    title,
    summary: 'NeuroBiotix, Inc. (Nasdaq: NBTX) today announced positive topline Phase 2 data.',
    url: `https://${kind}.example/${id}.html`,
    publishedAt: new Date(NOW - minutesAgo * 60_000).toISOString(),
    tickers: ['NBTX'],
    categories: [],
  };
  return { item, fetchedAt: new Date(NOW).toISOString() };
};

/** A processor as the pipeline role builds one, minus the LLM and market data. */
const processor = (ledger: PipelineLedger, published: SignalInput[]) => testProcessor(ledger, published, NOW);

for (const [name, fixture] of [
  ['sqlite', sqlite],
  ['postgres', postgres],
] as const) {
  describe(`pipeline memory across a restart (${name})`, () => {
    it('skips decided items, recognises the same story on another wire, records stale news', async (t) => {
      const open = await fixture(t);
      if (!open) return;
      const published: SignalInput[] = [];
      const title = 'NeuroBiotix Reports Positive Topline Phase 2 Data';
      const first = await open();
      const gnw = release('gnw:1', 'globenewswire', title, 30);
      assert.equal(await processor(first.ledger, published).process([gnw]), 1);
      assert.deepEqual(
        published.map((s) => s.id),
        ['gnw:1:NBTX'],
      );
      await first.close();

      // The restarted node: a re-poll of the same release, the story on a second wire with a
      // longer title, and a release from two days ago.
      const second = await open();
      t.after(() => second.close());
      const p = processor(second.ledger, published);
      assert.equal(await p.process([gnw]), 0, 'a decided item is not judged again');
      const prn = release('prn:2', 'prnewswire', `${title} in Refractory Glioblastoma`, 5);
      const old = release('prn:3', 'prnewswire', 'NeuroBiotix Receives FDA Approval for NBX-101', 48 * 60);
      assert.equal(await p.process([prn, old]), 2);
      assert.equal(published.length, 1, 'nothing published twice');
      const byId = new Map((await second.ledger.items({ limit: 10 })).map((i) => [i.id, i]));
      const d = (id: string) => {
        const i = byId.get(id);
        return i && `${i.decision}/${i.stage}/${i.reason}`;
      };
      assert.equal(d('gnw:1'), 'kept/publish/keywords');
      assert.equal(d('prn:2'), 'dropped/dedup/duplicate_story');
      assert.match(byId.get('prn:2')?.detail ?? '', /gnw:1/);
      assert.equal(d('prn:3'), 'stale/normalize/stale');
      const stale = await second.ledger.items({ decision: 'stale', limit: 10 });
      assert.deepEqual(
        stale.map((i) => i.id),
        ['prn:3'],
      );
    });

    it('two nodes judging the same story from two wires at once publish it once', async (t) => {
      const open = await fixture(t);
      if (!open) return;
      // Two nodes over one database; each takes one wire's copy of each story, all at the same time.
      const [a, b] = [await open(), await open()];
      t.after(async () => {
        await a.close();
        await b.close();
      });
      const published: SignalInput[] = [];
      const [pa, pb] = [processor(a.ledger, published), processor(b.ledger, published)];
      const stories = [
        'NeuroBiotix Reports Positive Topline Phase 2 Data',
        'NeuroBiotix Receives FDA Fast Track Designation for NBX-101',
        'NeuroBiotix Announces FDA Approval of NBX-202',
        'NeuroBiotix Enters Definitive Agreement to Be Acquired by Pfizer',
        'NeuroBiotix Wins Breakthrough Therapy Designation for NBX-303',
      ];
      await Promise.all(
        stories.flatMap((title, k) => [
          pa.process([release(`gnw:c${k}`, 'globenewswire', title, 10)]),
          pb.process([release(`prn:c${k}`, 'prnewswire', `${title} in Refractory Glioblastoma`, 10)]),
        ]),
      );
      const ids = published.map((s) => s.id);
      assert.equal(ids.length, stories.length, `one signal per story, got ${ids.join(', ')}`);
      const items = await a.ledger.items({ limit: 50 });
      for (const [k] of stories.entries()) {
        const pair = items.filter((i) => i.id.endsWith(`:c${k}`));
        assert.deepEqual(
          pair.map((i) => i.decision).sort(),
          ['dropped', 'kept'],
          `story ${k}: one copy kept, the other dropped`,
        );
        const dropped = pair.find((i) => i.decision === 'dropped');
        assert.equal(dropped?.reason, 'duplicate_story');
        assert.match(dropped?.detail ?? '', new RegExp(pair.find((i) => i.decision === 'kept')?.id ?? '-'));
      }
      assert.deepEqual(await a.ledger.items({ decision: 'waiting', limit: 50 }), [], 'no claim left open');
    });
  });
}
