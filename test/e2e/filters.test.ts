// Filter semantics end to end: every filter, live (in-memory matching) and replayed (the store's
// SQL filter) and over REST, checked against an oracle written here from the protocol's words.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import type { SignalInput } from '../../src/domain/signal.js';
import { type CatalystNodeProcess, e2e, publishBatch, request, startNodeWithToken } from '../support/node.js';
import { makeSignal } from '../support/signals.js';
import { WsClient } from '../support/ws-client.js';

type Oracle = (s: SignalInput) => boolean;

// Wire filters as a subscriber might write them (case variants included) and what they must mean.
const CASES: Array<{ name: string; filters: Record<string, unknown>; query: string; want: Oracle }> = [
  { name: 'no filter', filters: {}, query: '', want: () => true },
  {
    name: 'min_confidence',
    filters: { min_confidence: 0.8 },
    query: 'min_confidence=0.8',
    want: (s) => s.confidence >= 0.8,
  },
  {
    name: 'tickers (any case)',
    filters: { tickers: ['aaa', 'CCC'] },
    query: 'ticker=aaa,CCC',
    want: (s) => s.ticker === 'AAA' || s.ticker === 'CCC',
  },
  {
    name: 'catalysts (any case)',
    filters: { catalysts: ['FDA', 'merger'] },
    query: 'catalyst=FDA,merger',
    want: (s) => ['fda', 'merger'].includes(s.catalyst),
  },
  { name: 'sources', filters: { sources: ['sec'] }, query: 'source=sec', want: (s) => s.source === 'sec' },
  {
    name: 'min_score (a signal without a score never passes)',
    filters: { min_score: 1.5 },
    query: 'min_score=1.5',
    want: (s) => s.score !== undefined && s.score >= 1.5,
  },
  {
    name: 'sentiment positive (> 0)',
    filters: { sentiment: 'positive' },
    query: 'sentiment=positive',
    want: (s) => s.sentiment > 0,
  },
  {
    name: 'sentiment negative (< 0)',
    filters: { sentiment: 'negative' },
    query: 'sentiment=negative',
    want: (s) => s.sentiment < 0,
  },
  {
    name: 'all of them at once',
    filters: {
      tickers: ['AAA', 'BBB'],
      catalysts: ['fda'],
      sources: ['globenewswire', 'sec'],
      min_confidence: 0.6,
      min_score: 0,
      sentiment: 'positive',
    },
    query:
      'ticker=AAA,BBB&catalyst=fda&source=globenewswire,sec&min_confidence=0.6&min_score=0&sentiment=positive',
    want: (s) =>
      ['AAA', 'BBB'].includes(s.ticker) &&
      s.catalyst === 'fda' &&
      ['globenewswire', 'sec'].includes(s.source) &&
      s.confidence >= 0.6 &&
      s.score !== undefined &&
      s.score >= 0 &&
      s.sentiment > 0,
  },
];

// Every combination of the fields the filters look at (972 signals, one batch), boundaries included
// (confidence 0.8 exactly, score 1.5 exactly, sentiment 0), so each filter both lets some through
// and holds some back, and the combined case has matches too.
function dataset(): SignalInput[] {
  const out: SignalInput[] = [];
  for (const ticker of ['AAA', 'BBB', 'CCC'])
    for (const catalyst of ['fda', 'merger', 'earnings'])
      for (const source of ['globenewswire', 'sec', 'prnewswire'])
        for (const confidence of [0.5, 0.8, 0.95])
          for (const sentiment of [-0.4, 0, 0.7])
            for (const score of [undefined, -2, 1.5, 3]) {
              const over: Partial<SignalInput> = { ticker, catalyst, source, confidence, sentiment };
              if (score !== undefined) over.score = score;
              out.push(makeSignal(over));
            }
  return out;
}

describe('e2e: filters', () => {
  let node: CatalystNodeProcess;
  let token: string;
  const published: Array<SignalInput & { seq: number }> = [];
  const live = new Map<string, WsClient>();

  before(async () => {
    ({ node, token } = await startNodeWithToken(undefined));
    // Live subscribers first, so that every signal below reaches them through the live path.
    for (const c of CASES) live.set(c.name, await WsClient.subscribed(node.wsUrl, token, c.filters));
    const input = dataset();
    const acks = await publishBatch(node.url, token, input);
    input.forEach((s, i) => published.push({ ...s, seq: (acks[i] as { seq: number }).seq }));
  });

  after(async () => {
    for (const c of live.values()) c.close();
    await node.dispose();
  });

  const expected = (want: Oracle) => published.filter(want).map((s) => s.seq);

  for (const c of CASES) {
    e2e(`live: ${c.name} delivers exactly the matching signals, in order`, async () => {
      const want = expected(c.want);
      assert.ok(
        c.name === 'no filter' || (want.length > 0 && want.length < published.length),
        'the case discriminates',
      );
      const client = live.get(c.name) as WsClient;
      await client.waitForSignals(want.length);
      await client.caughtUp(published.at(-1)?.seq ?? 0);
      assert.deepEqual(client.seqs(), want);
      // The delivered content is what was published.
      for (const s of client.signals()) {
        const p = published.find((x) => x.seq === s.seq);
        assert.equal(s.id, p?.id);
        assert.equal(s.ticker, p?.ticker);
      }
    });

    e2e(`replay: ${c.name} replays exactly the matching signals (since_seq 0)`, async () => {
      const want = expected(c.want);
      const client = await WsClient.authed(node.wsUrl, token);
      try {
        const subscribed = await client.subscribe(c.filters, 0);
        assert.equal(subscribed.type, 'subscribed');
        assert.equal(subscribed.replay.count, want.length);
        await client.waitForSignals(want.length);
        await client.caughtUp(published.at(-1)?.seq ?? 0);
        assert.deepEqual(client.seqs(), want);
      } finally {
        client.close();
      }
    });

    e2e(`REST: ${c.name} lists exactly the matching signals`, async () => {
      const r = await request(node.url, 'GET', `/signals?limit=1000${c.query ? `&${c.query}` : ''}`, {
        token,
      });
      assert.equal(r.status, 200);
      assert.deepEqual(
        r.body.signals.map((s: { seq: number }) => s.seq),
        expected(c.want),
      );
    });
  }

  e2e('a bad filter is answered with invalid_request naming it, and the session stays usable', async () => {
    const client = await WsClient.authed(node.wsUrl, token);
    try {
      for (const [filters, field] of [
        [{ min_confidence: 'high' }, 'filters.min_confidence'],
        [{ tickers: 'AAA' }, 'filters.tickers'],
        [{ sentiment: 'neutral' }, 'filters.sentiment'],
        [{ colour: 'red' }, 'filters.colour'],
      ] as const) {
        client.send({ type: 'subscribe', filters });
        const err = await client.next((m) => m.type === 'error', 5000, `error for ${field}`);
        assert.equal(err.code, 'invalid_request');
        assert.equal(err.field, field);
      }
      const ok = await client.subscribe({ tickers: ['AAA'] }, 0);
      assert.equal(ok.type, 'subscribed');
    } finally {
      client.close();
    }
  });
});
