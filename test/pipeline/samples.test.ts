// The sample documents, in the real formats, through the real pipeline and a real node: exactly the
// expected signals, and every other item dropped with its stage and reason.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Signal } from '../../src/domain/signal.js';
import type { ItemRecord } from '../../src/pipeline/ledger.js';
import { waitFor } from '../support/wait.js';
import { startSamplePipeline } from '../support/pipeline-node.js';

describe('pipeline on the sample feeds', () => {
  it('publishes exactly the expected signals and records why every other item was dropped', async (t) => {
    const p = await startSamplePipeline(t);
    const items = async () =>
      (await p.get<{ items: ItemRecord[] }>('/admin/pipeline/items?limit=1000')).items;
    // Every item the three feeds serve is decided (4 SEC accessions of the 4 forms asked for, 5
    // GlobeNewswire releases, 4 PR Newswire releases).
    await waitFor(async () => (await items()).length >= 13, 'every item decided', 20_000, 100);
    assert.equal((await items()).length, 13);
    const byId = new Map((await items()).map((i) => [i.id, i]));
    const decision = (id: string) => {
      const i = byId.get(id);
      return i && `${i.decision}/${i.stage}/${i.reason}`;
    };
    const { signals } = await p.get<{ signals: Signal[] }>('/signals?limit=1000');
    // The same story on two wires is published once: on the wire judged first. The feeds are
    // polled at once, so which one that is (and the order between feeds) is not fixed.
    const story = ['gnw:3187654', 'prn:302612345'];
    const first = story.find((id) => decision(id) === 'kept/publish/llm_confirmed') as string;
    assert.ok(first, `one of ${story.join(', ')} kept: ${story.map(decision).join(', ')}`);
    assert.equal(decision(story.find((id) => id !== first) as string), 'dropped/dedup/duplicate_story');
    assert.deepEqual(
      signals.map((s) => [s.id, s.ticker, s.catalyst, Math.sign(s.sentiment)]).sort(),
      [
        ['gnw:3187602:CRVB', 'CRVB', 'fda', 1],
        [`${first}:NBTX`, 'NBTX', 'clinical', 1],
        ['prn:302612270:MFTX', 'MFTX', 'offering', -1],
      ].sort(),
    );
    assert.deepEqual(
      signals.map((s) => s.seq),
      [1, 2, 3],
      'each stored once',
    );
    // Law-firm promotions and items naming no listed company are dropped with their reasons.
    assert.equal(decision('gnw:3187577'), 'dropped/prescale/law_firm_promotion');
    assert.equal(decision('gnw:3187560'), 'dropped/enrich/no_ticker');
    // A negative catalyst (an offering) is never a positive signal.
    const offering = signals.find((s) => s.catalyst === 'offering');
    assert.ok(offering && offering.sentiment < 0);
    // SEC: the Form 4 and the Schedule 13D appear once per party in the feed; each is one item,
    // on the party with a ticker (the issuer / the subject).
    const sec = [...byId.values()].filter((i) => i.id.startsWith('sec:'));
    assert.equal(new Set(sec.map((i) => i.key)).size, sec.length);
    assert.deepEqual(byId.get('sec:0001990002-26-000007')?.tickers, ['KQC'], 'Form 4 on its issuer');
    assert.deepEqual(byId.get('sec:0001990003-26-000011')?.tickers, ['PWEC'], 'Schedule 13D on its subject');
    // Structured tickers win over the text: the GlobeNewswire stock categories name HVM first.
    assert.deepEqual(byId.get('gnw:3187591')?.tickers, ['HVMNF', 'HVM']);
    // Each signal carries its source link and key and its timeline.
    const fda = signals.find((s) => s.ticker === 'CRVB') as Signal;
    assert.match(fda.url ?? '', /^https:\/\/www\.globenewswire\.com\/news-release\//);
    const meta = fda.metadata as { timeline: Record<string, string>; classifier: string };
    assert.equal(meta.classifier, 'llm');
    for (const k of ['published_at', 'fetched_at', 'classified_at', 'scored_at'])
      assert.ok(Date.parse(meta.timeline[k] ?? '') > 0, `timeline.${k}`);
    // The SEC feed was asked with a declared User-Agent, every time.
    const secRequests = p.fakes.requestsTo('sec');
    assert.ok(secRequests.length >= 4);
    assert.ok(secRequests.every((r) => /admin@example\.com/.test(String(r.headers['user-agent']))));
    const feeds = await p.feeds();
    assert.deepEqual(feeds.map((f) => f.name).sort(), ['globenewswire', 'prnewswire', 'sec_edgar']);
    assert.ok(feeds.every((f) => f.last_success_at));
    assert.ok(feeds.every((f) => f.breaker === 'closed'));

    // The admin filter of the issue: the prescale's drops, and nothing else.
    const prescaleDrops = (
      await p.get<{ items: ItemRecord[] }>('/admin/pipeline/items?decision=dropped&stage=prescale')
    ).items;
    assert.ok(prescaleDrops.some((i) => i.id === 'gnw:3187577'));
    assert.ok(prescaleDrops.every((i) => i.decision === 'dropped' && i.stage === 'prescale'));
    assert.equal(
      prescaleDrops.length,
      [...byId.values()].filter((i) => i.decision === 'dropped' && i.stage === 'prescale').length,
    );

    // The operations metrics count what happened.
    assert.equal(await p.metric('catalyst_pipeline_items_total', { stage: 'publish', decision: 'kept' }), 3);
    assert.equal(await p.metric('catalyst_pipeline_items_total', { stage: 'dedup', decision: 'dropped' }), 1);
    assert.equal(await p.metric('catalyst_pipeline_publish_latency_seconds_count'), 3);
    assert.ok((await p.metric('catalyst_llm_calls_total', { outcome: 'ok' })) >= 3);
    assert.equal(await p.metric('catalyst_classifier_fallback_total'), 0);
    assert.ok((await p.metric('catalyst_market_data_cache_total', { result: 'miss' })) >= 3);
    for (const feed of ['sec_edgar', 'globenewswire', 'prnewswire']) {
      assert.ok((await p.metric('catalyst_feed_polls_total', { feed, outcome: 'ok' })) >= 1, feed);
      const last = await p.metric('catalyst_feed_last_success_timestamp_seconds', { feed });
      assert.ok(Math.abs(last - Date.now() / 1000) < 600, `${feed}: last success ${last}`);
    }
  });
});
