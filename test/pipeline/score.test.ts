import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSignalInput, SIGNAL_LIMITS } from '../../src/domain/signal.js';
import type { NewsItem } from '../../src/pipeline/item.js';
import { loadKeywords } from '../../src/pipeline/keywords.js';
import { prescale } from '../../src/pipeline/prescale.js';
import {
  buildSignals,
  floatFactor,
  KEYWORD_CONFIDENCE_CAP,
  keywordJudgement,
  llmJudgement,
  rvolFactor,
  type MarketFacts,
} from '../../src/pipeline/score.js';

const keywords = loadKeywords();

const item = (over: Partial<NewsItem> = {}): NewsItem => ({
  id: 'gnw:3000001',
  feed: 'globenewswire',
  kind: 'globenewswire',
  key: '3000001',
  title: 'NeuroBiotix Receives FDA Approval for NBX-101',
  summary: 'NeuroBiotix (Nasdaq: NBTX) today announced FDA approval of NBX-101.',
  url: 'https://www.globenewswire.com/news-release/2026/11/16/3000001/0/en/x.html',
  publishedAt: '2026-11-16T13:05:00.000Z',
  tickers: ['NBTX'],
  tickerSource: 'structured',
  categories: [],
  ...over,
});

const full: MarketFacts = {
  avgVolume: 300_000,
  sessions: 20,
  todayVolume: 1_800_000,
  sharesOutstanding: 4_200_000,
};
const llmFda = { is_catalyst: true, category: 'fda', sentiment: 0.8, score: 0.93, reason: 'FDA approval.' };

test('RVOL multipliers by band, raw, and skipped for thin stocks', () => {
  const m = (today: number) => rvolFactor({ avgVolume: 200_000, todayVolume: today }).multiplier;
  assert.deepEqual(
    [m(1_000_000), m(999_999), m(600_000), m(400_000), m(200_000), m(199_999)],
    [1.4, 1.3, 1.3, 1.2, 1.0, 0.8],
  );
  const thin = rvolFactor({ avgVolume: 99_999, todayVolume: 5_000_000 });
  assert.equal(thin.multiplier, 1);
  assert.equal(thin.applied, false);
  assert.match(thin.note, /under 100000/);
  assert.equal(rvolFactor(full).basis, 'raw');
  const late = rvolFactor({ todayVolume: 5, missing: { baseline: 'late' } });
  assert.equal(late.applied, false);
  assert.equal(late.note, 'no RVOL: baseline late');
});

test('float multipliers, with shares outstanding standing in for an unknown float', () => {
  assert.equal(floatFactor({ floatShares: 4_999_999 }).multiplier, 1.3);
  assert.equal(floatFactor({ floatShares: 5_000_000 }).multiplier, 1.2);
  assert.equal(floatFactor({ floatShares: 20_000_000 }).multiplier, 1.0);
  assert.equal(floatFactor({ floatShares: 20_000_000 }).applied, true);
  const proxy = floatFactor({ sharesOutstanding: 4_200_000 });
  assert.equal(proxy.basis, 'shares_outstanding');
  assert.equal(proxy.multiplier, 1.3);
  assert.match(floatFactor({ missing: { shares: 'unavailable' } }).note, /shares unavailable/);
});

test('an LLM-confirmed FDA approval on a small float with RVOL 6 is a valid, boosted signal', () => {
  const it = item();
  const [s, ...rest] = buildSignals(it, llmJudgement(llmFda, prescale(it, keywords)), keywords, {
    market: { NBTX: full },
    metadata: { timeline: { fetched_at: '2026-11-16T13:05:30.000Z' } },
  });
  assert.equal(rest.length, 0);
  assert.ok(s);
  assert.deepEqual(parseSignalInput(s), s, 'passes the protocol validation unchanged');
  assert.equal(s.id, 'gnw:3000001:NBTX');
  assert.equal(s.catalyst, 'fda');
  assert.equal(s.sentiment, 0.8);
  assert.equal(s.confidence, 0.96); // 0.92 base + 0.05 x 0.8 agreement
  assert.equal(s.score, 1.7472); // 0.96 x 1.4 (RVOL 6) x 1.3 (float < 5M)
  const md = s.metadata as Record<string, any>;
  assert.equal(md.classifier, 'llm');
  assert.equal(md.market, 'complete');
  assert.equal(md.market_missing, undefined);
  assert.equal(md.factors.rvol.rvol, 6);
  assert.deepEqual(md.timeline, { fetched_at: '2026-11-16T13:05:30.000Z' });
  assert.ok(s.confidence > KEYWORD_CONFIDENCE_CAP);
});

test('the keyword model alone says so and stays under the cap', () => {
  const it = item();
  const [s] = buildSignals(it, keywordJudgement(prescale(it, keywords)), keywords, {
    market: { NBTX: full },
  });
  assert.equal(s!.confidence, KEYWORD_CONFIDENCE_CAP);
  const md = s!.metadata as Record<string, any>;
  assert.equal(md.classifier, 'keywords');
  assert.ok(md.reasons.some((r: string) => /keyword model alone/.test(r)));
});

test('missing or late market data leaves the score unadjusted and says why', () => {
  const it = item();
  const j = llmJudgement(llmFda, prescale(it, keywords));
  const [s] = buildSignals(it, j, keywords, {
    market: { NBTX: { missing: { baseline: 'late', todayVolume: 'late', shares: 'unavailable' } } },
  });
  assert.equal(s!.score, s!.confidence);
  const md = s!.metadata as Record<string, any>;
  assert.equal(md.market, 'none');
  assert.deepEqual(md.market_missing, { baseline: 'late', todayVolume: 'late', shares: 'unavailable' });
  assert.ok(md.reasons.includes('no RVOL: baseline late, todayVolume late'));
  assert.ok(md.reasons.includes('no float: shares unavailable'));
  const [notFetched] = buildSignals(it, j, keywords, { market: {} });
  assert.match((notFetched!.metadata as any).factors.rvol.note, /not fetched/);
});

test('an offering is never a buy, even when the LLM calls it positive', () => {
  const it = item({ title: 'NeuroBiotix Announces $10 Million Registered Direct Offering' });
  const p = prescale(it, keywords);
  const byKeywords = buildSignals(it, keywordJudgement(p), keywords, { market: {} })[0]!;
  assert.equal(byKeywords.catalyst, 'offering');
  assert.ok(byKeywords.sentiment < 0);
  const confused = { ...llmFda, category: 'financing', sentiment: 0.6 };
  const byLlm = buildSignals(it, llmJudgement(confused, p), keywords, { market: {} })[0]!;
  assert.ok(byLlm.sentiment < 0);
  assert.ok((byLlm.metadata as any).reasons.some((r: string) => /negative category offering/.test(r)));
});

test('sentiment against the category lowers confidence', () => {
  const it = item();
  const p = prescale(it, keywords);
  const agree = buildSignals(it, llmJudgement(llmFda, p), keywords, { market: {} })[0]!;
  const against = buildSignals(it, llmJudgement({ ...llmFda, sentiment: -0.6 }, p), keywords, {
    market: {},
  })[0]!;
  assert.ok(against.confidence < agree.confidence);
  assert.equal(against.confidence, 0.82);
});

test('one signal per ticker (at most three), ids derived from the item, each with its own factors', () => {
  const it = item({ tickers: ['NBTX', 'kqc?', 'KQC', 'PWEC', 'HVM'], title: 'KQC to Acquire NeuroBiotix' });
  const j = llmJudgement({ ...llmFda, category: 'Merger / Acquisition' }, prescale(it, keywords));
  const signals = buildSignals(it, j, keywords, {
    market: { NBTX: full, KQC: { avgVolume: 1_000_000, todayVolume: 500_000, sharesOutstanding: 15e6 } },
  });
  assert.deepEqual(
    signals.map((s) => s.id),
    ['gnw:3000001:NBTX', 'gnw:3000001:KQC', 'gnw:3000001:PWEC'],
  );
  assert.equal(signals[0]!.catalyst, 'merger_acquisition');
  assert.notEqual(signals[0]!.score, signals[1]!.score);
  const again = buildSignals(it, j, keywords, { market: {} });
  assert.deepEqual(
    again.map((s) => s.id),
    signals.map((s) => s.id),
  );
  for (const s of signals) parseSignalInput(s);
});

test('long ids are hashed; metadata stays under 8 KiB whatever the inputs', () => {
  const it = item({ id: `rss:${'x'.repeat(300)}`, title: 'T'.repeat(5000) });
  const huge = { ...llmFda, reason: 'r'.repeat(20_000) };
  const [s] = buildSignals(it, llmJudgement(huge, prescale(it, keywords)), keywords, {
    market: { NBTX: full },
    metadata: { timeline: { fetched_at: '2026-11-16T13:05:30.000Z' } },
  });
  assert.match(s!.id, /^h[0-9a-f]{40}:NBTX$/);
  assert.ok(Buffer.byteLength(JSON.stringify(s!.metadata)) < SIGNAL_LIMITS.metadataMaxBytes);
  parseSignalInput(s);
});
