// A slow LLM must not set the pace of a busy feed one call at a time: the items of one poll are
// judged `concurrency` at once, never more, each published once. Against the loopback LLM (slow
// fault) and a SQLite store's ledger; the classifier is the real adapter, counted on its way in.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FakeLlm } from '../../src/demo/fake-llm.js';
import type { SignalInput } from '../../src/domain/signal.js';
import { LlmClassifier } from '../../src/deps/llm.js';
import type { Classifier } from '../../src/pipeline/ports.js';
import type { NewsItem } from '../../src/pipeline/item.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { testProcessor } from '../support/processor.js';

const NOW = Date.parse('2026-11-18T16:00:00Z');
const CONCURRENCY = 4;

function release(k: number): { item: NewsItem; fetchedAt: string } {
  // A ticker each: eight different stories, none a repeat of another.
  const ticker = `NB${String.fromCharCode(65 + k)}X`;
  return {
    item: {
      id: `gnw:${k}`,
      feed: 'globenewswire',
      kind: 'globenewswire',
      key: `gnw:${k}`,
      title: `NeuroBiotix ${ticker} Receives FDA Approval for NBX-${100 + k}`,
      summary: `NeuroBiotix (Nasdaq: ${ticker}) today announced FDA approval.`,
      url: `https://globenewswire.example/${k}.html`,
      publishedAt: new Date(NOW - 10 * 60_000).toISOString(),
      tickers: [ticker],
      categories: [],
    },
    fetchedAt: new Date(NOW).toISOString(),
  };
}

test('the items of one poll are judged at most `concurrency` at once, each published once', async (t) => {
  const llm = await new FakeLlm().start();
  t.after(() => llm.close());
  // Slow enough that every call in flight is still open when the last of the first wave starts.
  await llm.setFault('slow', { delayMs: 400 });
  const dir = mkdtempSync(join(tmpdir(), 'catalyst-judge-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = new SqliteStore(join(dir, 'db.sqlite'));
  await store.migrate();
  t.after(() => store.close());

  const adapter = new LlmClassifier({ baseUrl: llm.baseUrl, model: 'fake' });
  let inFlight = 0;
  let most = 0;
  const classifier: Classifier = {
    classify: async (input) => {
      most = Math.max(most, ++inFlight);
      try {
        return await adapter.classify(input, AbortSignal.timeout(10_000));
      } finally {
        inFlight -= 1;
      }
    },
  };
  const published: SignalInput[] = [];
  const processor = testProcessor(store.pipelineLedger(), published, NOW, {
    classifier,
    concurrency: CONCURRENCY,
  });

  const batch = Array.from({ length: 8 }, (_, k) => release(k));
  assert.equal(await processor.process(batch), 8);
  assert.equal(most, CONCURRENCY, `LLM calls in flight at most: ${most}`);
  assert.equal(llm.requests.length, 8, 'one LLM call per item');
  assert.deepEqual(
    published.map((s) => s.id).sort(),
    batch.map((b) => `${b.item.id}:${b.item.tickers[0]}`).sort(),
    'every item published once',
  );
  const kept = await store.pipelineLedger().items({ decision: 'kept', limit: 20 });
  assert.equal(kept.length, 8);
  assert.ok(
    kept.every((i) => i.reason === 'llm_confirmed'),
    'judged by the LLM, not the fallback',
  );
});
