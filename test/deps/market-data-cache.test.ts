import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { FakeMarketData } from '../../src/demo/fake-market-data.js';
import {
  cachedMarketData,
  type CacheOutcome,
  type MarketDataKind,
} from '../../src/deps/cached-market-data.js';
import { PolygonMarketData } from '../../src/deps/market-data.js';
import { MemoryTtlCache, RedisTtlCache, type TtlCache } from '../../src/deps/ttl-cache.js';
import { REDIS_URL, requireRedis } from '../support/servers.js';
import { waitFor } from '../support/wait.js';

let clock = Date.parse('2026-11-18T16:00:00Z');
const now = () => clock;
const fake = new FakeMarketData({ now });
before(() => fake.start());
after(() => fake.close());
const signal = () => AbortSignal.timeout(10_000);

type CacheFactory = (t: TestContext) => Promise<TtlCache | undefined>;

const memory: CacheFactory = async () => new MemoryTtlCache(100, now);

const redis: CacheFactory = async (t) => {
  if (!(await requireRedis(t))) return undefined;
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  const prefix = `catalyst-test:md:${randomUUID()}:`;
  t.after(async () => {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys);
    client.disconnect();
  });
  return new RedisTtlCache(client, prefix);
};

for (const [name, make] of [
  ['memory', memory],
  ['redis', redis],
] as const) {
  test(`${name}: a cached lookup answers without calling the provider and is counted as a hit`, async (t) => {
    const cache = await make(t);
    if (!cache) return;
    await fake.setFault('none');
    const lookups: [MarketDataKind, CacheOutcome][] = [];
    const md = cachedMarketData(new PolygonMarketData({ baseUrl: fake.baseUrl, now }), cache, {
      now,
      onLookup: (kind, outcome) => lookups.push([kind, outcome]),
    });
    const start = fake.requests.length;
    const first = await md.baseline('KQC', signal());
    assert.deepEqual(await md.baseline('KQC', signal()), first);
    assert.equal(await md.todayVolume('KQC', signal()), 2_700_000);
    assert.equal(await md.todayVolume('KQC', signal()), 2_700_000);
    assert.equal(await md.shares('ZZZZ', signal()), null);
    assert.equal(await md.shares('ZZZZ', signal()), null, 'an unknown ticker is cached too');
    assert.equal(fake.requests.length - start, 3);
    assert.deepEqual(lookups, [
      ['baseline', 'miss'],
      ['baseline', 'hit'],
      ['todayVolume', 'miss'],
      ['todayVolume', 'hit'],
      ['shares', 'miss'],
      ['shares', 'hit'],
    ]);
  });

  test(`${name}: entries expire, and a failed provider call caches nothing`, async (t) => {
    const cache = await make(t);
    if (!cache) return;
    await cache.set('k', 'v', 1000);
    assert.equal(await cache.get('k'), 'v');
    if (cache instanceof MemoryTtlCache) clock += 1001;
    // Redis expires on its own clock: wait for it, with a deadline.
    await waitFor(async () => (await cache.get('k')) === undefined, 'the entry to expire', 5000, 50);

    const md = cachedMarketData(new PolygonMarketData({ baseUrl: fake.baseUrl, now }), cache, { now });
    await fake.setFault('rate_limited');
    await assert.rejects(md.todayVolume('NBTX', signal()));
    await fake.setFault('none');
    assert.equal(await md.todayVolume('NBTX', signal()), 1_800_000);
  });
}

test('a broken cache is skipped: the provider answers and the lookup counts as an error', async () => {
  await fake.setFault('none');
  const broken: TtlCache = {
    get: () => Promise.reject(new Error('redis down')),
    set: () => Promise.reject(new Error('redis down')),
  };
  const outcomes: CacheOutcome[] = [];
  const md = cachedMarketData(new PolygonMarketData({ baseUrl: fake.baseUrl, now }), broken, {
    now,
    onLookup: (_k, o) => outcomes.push(o),
  });
  assert.deepEqual(await md.shares('NBTX', signal()), { sharesOutstanding: 4_200_000 });
  assert.deepEqual(outcomes, ['error']);
});

test('the memory cache stays bounded, dropping the oldest entry', async () => {
  const cache = new MemoryTtlCache(2, now);
  await cache.set('a', '1', 60_000);
  await cache.set('b', '2', 60_000);
  await cache.set('c', '3', 60_000);
  assert.equal(cache.size, 2);
  assert.equal(await cache.get('a'), undefined);
  assert.equal(await cache.get('c'), '3');
});
