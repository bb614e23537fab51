import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeMarketData } from '../../src/demo/fake-market-data.js';
import { addDays, etDate, etMidnight } from '../../src/domain/eastern-time.js';
import { PolygonMarketData } from '../../src/deps/market-data.js';
import { UpstreamError } from '../../src/pipeline/upstream-error.js';

// A Wednesday at 11:00 ET, so the last 20 sessions are plain weekdays.
const NOW = Date.parse('2026-11-18T16:00:00Z');
const now = () => NOW;
const fake = new FakeMarketData({ apiKey: 'md-key', now });
before(() => fake.start());
after(() => fake.close());

const signal = () => AbortSignal.timeout(10_000);
const adapter = (auth: 'bearer' | 'query' = 'bearer', apiKey = 'md-key') =>
  new PolygonMarketData({ baseUrl: fake.baseUrl, apiKey, auth, now });

async function rejectsWith(p: Promise<unknown>, reason: string): Promise<UpstreamError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof UpstreamError, `expected UpstreamError, got ${err}`);
    assert.equal(err.reason, reason);
    return err;
  }
  assert.fail(`expected a rejection with ${reason}`);
}

test('eastern time: dates and midnights across the DST change', () => {
  assert.equal(etDate(Date.parse('2026-11-18T04:30:00Z')), '2026-11-17');
  assert.equal(etMidnight('2026-11-18'), Date.parse('2026-11-18T05:00:00Z'));
  assert.equal(etMidnight('2026-07-01'), Date.parse('2026-07-01T04:00:00Z'));
  assert.equal(addDays('2026-03-01', -1), '2026-02-28');
});

test('the baseline is the mean of the 20 completed sessions before today', async () => {
  await fake.setFault('none');
  const start = fake.requests.length;
  const b = await adapter().baseline('NBTX', signal());
  assert.ok(b);
  assert.equal(b.sessions, 20);
  assert.equal(b.avgVolume, 300_000);
  assert.equal(b.to, '2026-11-17', 'today (with its huge partial volume) is excluded');
  assert.equal(b.from, '2026-10-21');
  const req = fake.requests[start]!;
  assert.match(req.path, /^\/v2\/aggs\/ticker\/NBTX\/range\/1\/day\/2026-10-04\/2026-11-18$/);
  assert.equal(req.query.get('adjusted'), 'true');
  assert.equal(req.headers.authorization, 'Bearer md-key');
  assert.equal(req.query.get('apiKey'), null);
});

test("today's volume comes from the snapshot, shares from the ticker reference", async () => {
  await fake.setFault('none');
  assert.equal(await adapter('query').todayVolume('NBTX', signal()), 1_800_000);
  assert.equal(fake.requests.at(-1)!.query.get('apiKey'), 'md-key');
  assert.deepEqual(await adapter().shares('KQC', signal()), { sharesOutstanding: 15_000_000 });
});

test('an unknown ticker is null, not an error', async () => {
  await fake.setFault('none');
  const a = adapter();
  assert.equal(await a.baseline('ZZZZ', signal()), null);
  assert.equal(await a.todayVolume('ZZZZ', signal()), null);
  assert.equal(await a.shares('ZZZZ', signal()), null);
});

test('429 is rate_limited with Retry-After; 403 NOT_AUTHORIZED and a wrong key are not_authorized', async () => {
  await fake.setFault('rate_limited', { retryAfter: '12' });
  const limited = await rejectsWith(adapter().baseline('NBTX', signal()), 'rate_limited');
  assert.equal(limited.retryAfterSeconds, 12);
  await fake.setFault('rate_limited');
  assert.equal(
    (await rejectsWith(adapter().shares('NBTX', signal()), 'rate_limited')).retryAfterSeconds,
    undefined,
  );
  await fake.setFault('no_snapshot');
  const plan = await rejectsWith(adapter().todayVolume('NBTX', signal()), 'not_authorized');
  assert.equal(plan.status, 403);
  assert.match(plan.message, /NOT_AUTHORIZED/);
  assert.ok((await adapter().shares('NBTX', signal()))?.sharesOutstanding, 'other endpoints still served');
  await fake.setFault('none');
  const wrongKey = await rejectsWith(adapter('query', 'nope').shares('NBTX', signal()), 'not_authorized');
  assert.ok(!wrongKey.message.includes('nope'), 'the key never appears in an error');
});

test('down is a network error; slow is cut by the caller signal', async () => {
  await fake.setFault('down');
  await rejectsWith(adapter().baseline('NBTX', signal()), 'network');
  await fake.setFault('slow', { delayMs: 5_000 });
  const reason = new Error('deadline');
  const ac = new AbortController();
  setTimeout(() => ac.abort(reason), 100);
  await assert.rejects(adapter().todayVolume('NBTX', ac.signal), (err) => err === reason);
  await fake.setFault('none');
  assert.equal(await adapter().todayVolume('NBTX', signal()), 1_800_000);
});
