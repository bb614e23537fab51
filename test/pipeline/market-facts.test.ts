import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeMarketData } from '../../src/demo/fake-market-data.js';
import { PolygonMarketData } from '../../src/deps/market-data.js';
import { gatherMarketFacts } from '../../src/pipeline/market-facts.js';
import { rvolFactor } from '../../src/pipeline/score.js';

const now = () => Date.parse('2026-11-18T16:00:00Z');
const fake = new FakeMarketData({ now });
before(() => fake.start());
after(() => fake.close());
const md = () => new PolygonMarketData({ baseUrl: fake.baseUrl, now });

test('all three facts arrive in time: RVOL 6 for NBTX on the fake', async () => {
  await fake.setFault('none');
  const facts = await gatherMarketFacts(md(), 'NBTX', 5_000);
  assert.deepEqual(facts, {
    avgVolume: 300_000,
    sessions: 20,
    todayVolume: 1_800_000,
    sharesOutstanding: 4_200_000,
  });
  assert.equal(rvolFactor(facts).rvol, 6);
});

test('a slow provider is late: the answer comes by the deadline and names what is missing', async () => {
  await fake.setFault('slow', { delayMs: 10_000 });
  const started = Date.now();
  const facts = await gatherMarketFacts(md(), 'NBTX', 200);
  assert.ok(Date.now() - started < 5_000);
  assert.deepEqual(facts, { missing: { baseline: 'late', todayVolume: 'late', shares: 'late' } });
  await fake.setFault('none');
});

test('failures and unknown tickers are named with their reason', async () => {
  await fake.setFault('no_snapshot');
  const partial = await gatherMarketFacts(md(), 'KQC', 5_000);
  assert.equal(partial.avgVolume, 1_200_000);
  assert.deepEqual(partial.missing, { todayVolume: 'unavailable (not_authorized)' });
  await fake.setFault('down');
  const down = await gatherMarketFacts(md(), 'KQC', 5_000);
  assert.deepEqual(down.missing, {
    baseline: 'unavailable (network)',
    todayVolume: 'unavailable (network)',
    shares: 'unavailable (network)',
  });
  await fake.setFault('none');
  const unknown = await gatherMarketFacts(md(), 'ZZZZ', 5_000);
  assert.deepEqual(unknown.missing, { baseline: 'unknown', todayVolume: 'unknown', shares: 'unknown' });
});
