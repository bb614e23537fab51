// Idempotent publishing: a repeat of an id returns the original seq and never makes a second signal,
// whether the repeat is sequential, concurrent, inside a batch, or after a restart.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { type CatalystNodeProcess, e2e, publish, request, startNodeWithToken } from '../support/node.js';
import { makeSignal } from '../support/signals.js';
import { WsClient } from '../support/ws-client.js';

describe('e2e: idempotent publishing', () => {
  let node: CatalystNodeProcess;
  let token: string;
  let watcher: WsClient;

  before(async () => {
    ({ node, token } = await startNodeWithToken(undefined));
    watcher = await WsClient.subscribed(node.wsUrl, token);
  });

  after(async () => {
    watcher.close();
    await node.dispose();
  });

  /** What the live subscriber got, once it has been sent everything up to `upto`. */
  async function watcherSeqs(upto: number): Promise<number[]> {
    await watcher.caughtUp(upto);
    return watcher.seqs();
  }

  e2e('a re-POST answers 200 with the original seq, id and created_at; subscribers see it once', async () => {
    const s = makeSignal();
    const first = await publish(node.url, token, s);
    const again = await publish(node.url, token, s);
    assert.equal(first.status, 201);
    assert.equal(again.status, 200);
    assert.deepEqual({ ...again, status: 0 }, { ...first, status: 0 });
    const same = await request(node.url, 'POST', '/signal', { token, body: s });
    assert.equal(same.status, 200);
    assert.equal(same.body.seq, first.seq);
    // Equal content written differently (key order, an equivalent timestamp) is the same signal.
    const reordered = Object.fromEntries(Object.entries(s).reverse());
    const respelled = await publish(node.url, token, { ...reordered, published_at: '2026-11-23T14:05:00Z' });
    assert.equal(respelled.status, 200);
    assert.equal(respelled.seq, first.seq);
    const seqs = await watcherSeqs(first.seq);
    assert.equal(seqs.filter((q) => q === first.seq).length, 1);
  });

  e2e('the same id with different content is a 409 conflict naming id, and stores nothing', async () => {
    const s = makeSignal();
    const first = await publish(node.url, token, s);
    const r = await request(node.url, 'POST', '/signals', { token, body: { ...s, confidence: 0.11 } });
    assert.equal(r.status, 409);
    assert.equal(r.body.error.code, 'conflict');
    assert.equal(r.body.error.field, 'id');
    const stored = await request(node.url, 'GET', `/signals/${first.seq}`, { token });
    assert.equal(stored.body.confidence, s.confidence);
    const next = await request(node.url, 'GET', `/signals/${first.seq + 1}`, { token });
    assert.equal(next.status, 404);
  });

  e2e('30 concurrent POSTs of one id: one 201, the rest 200, one seq, one delivery', async () => {
    const s = makeSignal();
    const results = await Promise.all(Array.from({ length: 30 }, () => publish(node.url, token, s)));
    assert.equal(results.filter((r) => r.status === 201).length, 1);
    assert.equal(results.filter((r) => r.status === 200).length, 29);
    assert.equal(new Set(results.map((r) => r.seq)).size, 1);
    const seq = results[0]?.seq ?? 0;
    assert.equal((await watcherSeqs(seq)).filter((q) => q === seq).length, 1);
  });

  e2e('in a batch: an earlier id and a repeat within the batch both get the original seq', async () => {
    const old = makeSignal();
    const stored = await publish(node.url, token, old);
    const fresh = makeSignal();
    const r = await request(node.url, 'POST', '/signals/batch', {
      token,
      body: { signals: [old, fresh, fresh] },
    });
    assert.equal(r.status, 201);
    const [a, b, c] = r.body.results;
    assert.equal(a.seq, stored.seq);
    assert.equal(b.seq, stored.seq + 1);
    assert.equal(c.seq, b.seq);
    const seqs = await watcherSeqs(b.seq);
    assert.equal(seqs.filter((q) => q === b.seq).length, 1);
    assert.equal(Math.max(...seqs), b.seq, 'the batch stored exactly one new signal');
  });

  e2e('after a restart a re-POST still answers 200 with the original seq', async () => {
    const s = makeSignal();
    const first = await publish(node.url, token, s);
    watcher.close();
    assert.equal(await node.stop('SIGTERM'), 0);
    await node.restart();
    watcher = await WsClient.subscribed(node.wsUrl, token, {}, first.seq);
    const again = await publish(node.url, token, s);
    assert.equal(again.status, 200);
    assert.equal(again.seq, first.seq);
    assert.equal(again.created_at, first.created_at);
    assert.deepEqual(await watcherSeqs(first.seq), []);
  });
});
