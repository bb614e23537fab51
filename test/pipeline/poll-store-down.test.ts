// A poll whose items could not be handed on (the store down when the processor asked what was
// already decided) must not make the next GET conditional: the unchanged feed would answer 304 and
// its items would never be judged. The next poll reads the whole document again.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { DependencyRegistry } from '../../src/resilience/registry.js';
import { guardFeedSource } from '../../src/resilience/guarded-pipeline.js';
import { FeedHttp } from '../../src/deps/feed-http.js';
import { FakeFeeds } from '../../src/demo/fake-feeds.js';
import { parsePipelineConfig } from '../../src/config/pipeline.js';
import { FeedPoller } from '../../src/pipeline/feed-poller.js';
import { type FetchedItem, ItemProcessor } from '../../src/pipeline/item-processor.js';
import { loadKeywords } from '../../src/pipeline/keywords.js';
import { normalize } from '../../src/pipeline/normalize.js';
import type { ItemRecord, PipelineLedger } from '../../src/pipeline/ledger.js';
import { SecTickers } from '../../src/pipeline/sec-tickers-source.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { CatalystError } from '../../src/domain/errors.js';
import { catalystRelease } from '../support/pipeline-node.js';

describe('the pipeline while the store is down', () => {
  it('reads the whole feed again next time instead of a 304', async (t) => {
    const feeds = await FakeFeeds.start({ samples: false });
    t.after(() => feeds.close());
    const release = catalystRelease('gnw');
    feeds.addGnwRelease(release);
    const registry = new DependencyRegistry({
      metrics: createMetrics({ collectDefault: false }),
      logger: pino({ level: 'silent' }),
    });
    t.after(() => registry.shutdown());
    const source = guardFeedSource(
      new FeedHttp({ userAgent: 'Catalyst Tests admin@example.com', maxBytes: 1 << 20 }),
      (url) => registry.get(`feed:${new URL(url).host}`),
    );
    const [feed] = parsePipelineConfig({ CATALYST_FEEDS: `globenewswire=${feeds.gnwUrl}` }).feeds;
    let storeDown = true;
    const handed: string[][] = [];
    const processor = {
      async process(batch: FetchedItem[]) {
        if (storeDown) throw new CatalystError('unavailable', 'Dependency store is unavailable');
        if (batch.length > 0) handed.push(batch.map((b) => b.item.title));
        return batch.length;
      },
    } as unknown as ItemProcessor;
    const ledger = { saveFeed: async () => undefined } as unknown as PipelineLedger;
    const log = { info: () => undefined, warn: () => undefined };
    const poller = new FeedPoller(feed!, {
      source,
      ledger,
      processor,
      secTickers: new SecTickers(undefined, source, log),
      holder: 'test',
      leaseMs: 3000,
      log,
    });

    await poller.poll();
    assert.match(poller.state.last_error?.message ?? '', /store/);
    storeDown = false;
    await poller.poll();
    assert.deepEqual(handed, [[release.title]], 'the items of the failed poll are judged');
    // Once handed on, the feed is asked conditionally again (and answers 304).
    await poller.poll();
    const gets = feeds.requestsTo('gnw');
    assert.equal(gets.length, 3);
    assert.equal(gets[1]?.headers['if-none-match'], undefined, 'after the failure: unconditional');
    assert.ok(gets[2]?.headers['if-none-match'], 'after the success: conditional');
    assert.deepEqual(handed, [[release.title]], 'nothing handed on twice');
  });

  it('items whose signals the store refused wait, and are published once, in order, when it is back', async () => {
    const records = new Map<string, ItemRecord>();
    const ledger = {
      decided: async (ids: string[]) =>
        new Set(ids.filter((id) => ['kept', 'dropped', 'stale'].includes(records.get(id)?.decision ?? ''))),
      record: async (r: ItemRecord) => void records.set(r.id, r),
      recentStories: async () => [],
      // The ledger lives in the store's database: a claim fails while the store is down.
      claimStory: async (r: ItemRecord) => {
        if (storeDown) throw new CatalystError('unavailable', 'Dependency store is unavailable');
        records.set(r.id, r);
        return undefined;
      },
    } as unknown as PipelineLedger;
    let storeDown = true;
    const stored: string[] = [];
    const processor = new ItemProcessor({
      ledger,
      publish: async (signals) => {
        if (storeDown) throw new CatalystError('unavailable', 'Dependency store is unavailable');
        return signals.map((s) => {
          stored.push(s.id);
          return { status: 201 as const, seq: stored.length, id: s.id, created_at: new Date().toISOString() };
        });
      },
      keywords: loadKeywords(),
      maxItemAgeMs: 24 * 3600_000,
      marketDataDeadlineMs: 100,
      log: { warn: () => undefined, debug: () => undefined },
    });
    const fetchedAt = new Date().toISOString();
    const batch = [catalystRelease('gnw'), catalystRelease('gnw')].map((r) => ({
      fetchedAt,
      item: normalize(
        {
          feed: 'globenewswire',
          kind: 'globenewswire',
          guid: `https://www.globenewswire.com/news-release/2026/11/18/${r.id}/0/en/x.html`,
          title: r.title,
          summary: r.body,
          published: fetchedAt,
          structuredTickers: r.stocks ?? [],
          categories: [],
        },
        { fetchedAt: new Date(fetchedAt) },
      ),
    }));
    assert.equal(await processor.process(batch), 2);
    assert.equal(processor.waitingCount, 2, 'both wait');
    assert.equal(await processor.process(batch), 0, 'a re-poll does not judge waiting items again');
    await processor.retryWaiting();
    assert.equal(processor.waitingCount, 2, 'still down: still waiting');
    storeDown = false;
    await processor.retryWaiting();
    assert.equal(processor.waitingCount, 0);
    assert.deepEqual(
      stored,
      batch.map((b) => `${b.item.id}:${b.item.tickers[0]}`),
      'each published once, in order',
    );
    assert.deepEqual(
      batch.map((b) => records.get(b.item.id)?.decision),
      ['kept', 'kept'],
    );
    assert.equal(await processor.process(batch), 0, 'decided: never again');
  });
});
