// The judging stages end to end against the loopback fakes: prescale -> LLM (or keywords) ->
// market facts -> signals, for the sample companies the demo uses.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeLlm } from '../../src/demo/fake-llm.js';
import { FakeMarketData } from '../../src/demo/fake-market-data.js';
import { parseSignalInput, type SignalInput } from '../../src/domain/signal.js';
import { LlmClassifier } from '../../src/deps/llm.js';
import { keepClassification } from '../../src/pipeline/classifier-port.js';
import { PolygonMarketData } from '../../src/deps/market-data.js';
import type { NewsItem } from '../../src/pipeline/item.js';
import { loadKeywords } from '../../src/pipeline/keywords.js';
import { gatherMarketFacts } from '../../src/pipeline/market-facts.js';
import { prescale } from '../../src/pipeline/prescale.js';
import { buildSignals, keywordJudgement, llmJudgement, type Judgement } from '../../src/pipeline/score.js';

const now = () => Date.parse('2026-11-18T16:00:00Z');
const llmServer = new FakeLlm();
const marketServer = new FakeMarketData({ now });
before(async () => {
  await llmServer.start();
  await marketServer.start();
});
after(async () => {
  await llmServer.close();
  await marketServer.close();
});

const keywords = loadKeywords();

/** What the runner does around these stages, minus persistence and resilience. */
async function judge(item: NewsItem, llm: LlmClassifier | undefined): Promise<SignalInput[] | string> {
  const p = prescale(item, keywords);
  if (!p.pass) return `prescale:${p.reason}`;
  let j: Judgement;
  try {
    if (!llm) throw new Error('no LLM');
    const c = await llm.classify(
      { title: item.title, summary: item.summary, tickers: item.tickers, source: item.feed },
      AbortSignal.timeout(5000),
    );
    if (!keepClassification(c)) return 'llm:not_kept';
    j = llmJudgement(c, p);
  } catch {
    j = keywordJudgement(p);
  }
  const md = new PolygonMarketData({ baseUrl: marketServer.baseUrl, now });
  const market = Object.fromEntries(
    await Promise.all(item.tickers.map(async (t) => [t, await gatherMarketFacts(md, t, 2000)] as const)),
  );
  return buildSignals(item, j, keywords, { market }).map((s) => parseSignalInput(s));
}

const item = (id: string, title: string, tickers: string[], over: Partial<NewsItem> = {}): NewsItem => ({
  id,
  feed: 'globenewswire',
  kind: 'globenewswire',
  key: id,
  title,
  summary: '',
  url: `https://www.globenewswire.com/news-release/2026/11/18/${id}/0/en/x.html`,
  publishedAt: '2026-11-18T15:55:00.000Z',
  tickers,
  categories: [],
  ...over,
});

test('sample news becomes exactly the expected signals', async () => {
  await llmServer.setFault('none');
  const llm = new LlmClassifier({ baseUrl: llmServer.baseUrl, model: 'fake' });
  const fda = await judge(item('1', 'NeuroBiotix Receives FDA Approval for NBX-101', ['NBTX']), llm);
  assert.ok(Array.isArray(fda));
  assert.equal(fda.length, 1);
  assert.equal(fda[0]!.catalyst, 'fda');
  assert.equal((fda[0]!.metadata as any).classifier, 'llm');
  assert.equal((fda[0]!.metadata as any).factors.rvol.rvol, 6);

  const offering = await judge(item('2', 'Kraken Quantum Prices $25 Million Public Offering', ['KQC']), llm);
  assert.ok(Array.isArray(offering));
  assert.equal(offering[0]!.catalyst, 'offering');
  assert.ok(offering[0]!.sentiment < 0);

  const thin = await judge(
    item('3', 'Prairie Wind Energy Signs Supply Agreement with Utility', ['PWEC']),
    llm,
  );
  assert.ok(Array.isArray(thin));
  assert.equal((thin[0]!.metadata as any).factors.rvol.applied, false, 'PWEC trades under 100k a day');

  assert.equal(
    await judge(item('4', 'INVESTOR ALERT: Class Action Filed on Behalf of NBTX Investors', ['NBTX']), llm),
    'prescale:law_firm_promotion',
  );
  assert.equal(await judge(item('5', 'NeuroBiotix Appoints New CFO', ['NBTX']), llm), 'prescale:no_keywords');
});

test('with the LLM down the keyword model decides, capped, and says so', async () => {
  await llmServer.setFault('down');
  const llm = new LlmClassifier({ baseUrl: llmServer.baseUrl, model: 'fake' });
  const out = await judge(item('6', 'NeuroBiotix Receives FDA Approval for NBX-101', ['NBTX']), llm);
  assert.ok(Array.isArray(out));
  assert.equal((out[0]!.metadata as any).classifier, 'keywords');
  assert.ok(out[0]!.confidence <= 0.75);
  await llmServer.setFault('none');
});
