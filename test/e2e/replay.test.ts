// Replay then live: a subscriber with since_seq gets every stored match after it, then the live
// stream, with no gap and no duplicate even while publishers keep publishing during the replay.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { type CatalystNodeProcess, e2e, publishBatch, request, startNodeWithToken } from '../support/node.js';
import { makeSignal } from '../support/signals.js';
import { WsClient } from '../support/ws-client.js';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('e2e: replay then live', () => {
  let node: CatalystNodeProcess;
  let token: string;
  let head = 0;

  before(async () => {
    // Small replay pages: a replay of thousands takes many store reads, leaving room for publishes.
    ({ node, token } = await startNodeWithToken(undefined, { env: { CATALYST_REPLAY_PAGE_SIZE: '25' } }));
    for (let b = 0; b < 3; b++) {
      const acks = await publishBatch(
        node.url,
        token,
        Array.from({ length: 1000 }, (_, i) => makeSignal({ ticker: i % 2 === 0 ? 'EVEN' : 'ODD' })),
      );
      head = acks.at(-1)?.seq ?? head;
    }
  });

  after(() => node.dispose());

  /** Publishes `batches` batches of `size` one after another; resolves with the last seq. */
  async function keepPublishing(batches: number, size: number): Promise<number> {
    let last = 0;
    for (let b = 0; b < batches; b++) {
      const acks = await publishBatch(
        node.url,
        token,
        Array.from({ length: size }, (_, i) => makeSignal({ ticker: i % 2 === 0 ? 'EVEN' : 'ODD' })),
      );
      last = acks.at(-1)?.seq ?? last;
    }
    head = Math.max(head, last);
    return last;
  }

  e2e(
    'since_seq 0 with publishes during the replay: every seq once, in order, replay then live',
    async () => {
      const client = await WsClient.authed(node.wsUrl, token);
      try {
        const announced = welcomeHead(client);
        const subscribing = client.subscribe({}, 0);
        // Publishing goes on until the subscribed reply is in, then a little more: some signals are
        // then certainly committed after the replay's end was fixed, whatever the schedule.
        const publishing = publishUntil(subscribing, 5, 10);
        const subscribed = await subscribing;
        const last = await publishing;
        assert.equal(subscribed.replay.from_seq, 1);
        // On two nodes the gateway's live position may lag the head the REST node just answered;
        // what holds everywhere is that it never moves back from what the node announced.
        assert.ok(subscribed.replay.to_seq >= announced, 'the replay covers what the node had announced');
        assert.ok(subscribed.replay.to_seq < last, 'signals were published after the replay began');
        assert.equal(subscribed.replay.count, subscribed.replay.to_seq);
        await client.waitForSignals(last, 20_000);
        // A last live signal after everything: nothing may arrive between or after out of order.
        const tail = await keepPublishing(1, 1);
        await client.waitForSignals(tail, 5000);
        assert.deepEqual(client.seqs(), range(1, tail));
      } finally {
        client.close();
      }
    },
  );

  e2e(
    'since_seq in the middle, with a ticker filter, during publishes: exactly the later matches',
    async () => {
      const client = await WsClient.authed(node.wsUrl, token);
      try {
        const from = 1234;
        const publishing = keepPublishing(20, 10);
        const subscribed = await client.subscribe({ tickers: ['ODD'] }, from);
        const last = await publishing;
        assert.equal(subscribed.replay.from_seq, from + 1);
        const tail = await keepPublishing(1, 2); // EVEN then ODD
        const want = await oddSeqsAfter(from, tail);
        await client.waitForSignals(want.length, 20_000);
        assert.ok(want.at(-1) === tail && last < tail);
        assert.deepEqual(client.seqs(), want);
        assert.ok(client.signals().every((s) => s.ticker === 'ODD'));
      } finally {
        client.close();
      }
    },
  );

  e2e(
    'a since_seq beyond the head, or another epoch, gets a reset naming this epoch and the head',
    async () => {
      const client = await WsClient.authed(node.wsUrl, token);
      try {
        const announced = welcomeHead(client);
        const future = await client.subscribe({}, head + 1000);
        assert.equal(future.type, 'reset');
        assert.equal(future.epoch, node.epoch);
        // The gateway's head may lag the stored head on two nodes, never pass it or move back.
        assert.ok(future.last_seq >= announced && future.last_seq <= head);
        client.send({ type: 'subscribe', filters: {}, since_seq: 5, epoch: 'some-other-history' });
        const other = await client.next((m) => m.type === 'reset' || m.type === 'subscribed', 5000, 'reset');
        assert.equal(other.type, 'reset');
        assert.equal(other.epoch, node.epoch);
        // Subscribing with the epoch it named works.
        client.send({ type: 'subscribe', filters: {}, since_seq: other.last_seq, epoch: other.epoch });
        const ok = await client.next((m) => m.type === 'subscribed', 5000, 'subscribed');
        assert.equal(ok.replay.count, 0);
        assert.equal(client.signals().length, 0);
      } finally {
        client.close();
      }
    },
  );

  /** Publishes batches of `size` until `done` settles, then `extra` more; resolves with the last seq. */
  async function publishUntil(done: Promise<unknown>, extra: number, size: number): Promise<number> {
    let settled = false;
    const mark = () => {
      settled = true;
    };
    done.then(mark, mark);
    let last = 0;
    while (!settled) last = await keepPublishing(1, size);
    return Math.max(last, await keepPublishing(extra, size));
  }

  /** The head a client's welcome announced. */
  function welcomeHead(client: WsClient): number {
    const welcome = client.messages.find((m) => m.type === 'welcome');
    assert.ok(welcome, 'a welcome');
    return welcome.last_seq as number;
  }

  /** The seqs of ODD signals in (from, upto], read over REST (the store's view). */
  async function oddSeqsAfter(from: number, upto: number): Promise<number[]> {
    const out: number[] = [];
    let since = from;
    for (;;) {
      const { body } = await request<{ signals: Array<{ seq: number }>; next_seq: number }>(
        node.url,
        'GET',
        `/signals?since_seq=${since}&limit=1000&ticker=ODD`,
        { token },
      );
      for (const s of body.signals) if (s.seq <= upto) out.push(s.seq);
      if (body.signals.length < 1000) return out;
      since = body.next_seq;
    }
  }
});
