// Bad input, over REST and over the WebSocket: each gets its protocol error (the error shape, the
// right status or close code, the field at fault), nothing invalid is stored, and the server never
// crashes: after all of it, it still publishes and delivers.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import {
  type CatalystNodeProcess,
  createToken,
  e2e,
  publish,
  publishBatch,
  request,
  startNodeWithToken,
  storeHead,
} from '../support/node.js';
import { makeSignal } from '../support/signals.js';
import { waitFor } from '../support/wait.js';
import { WsClient } from '../support/ws-client.js';

const BATCH_BODY_LIMIT = 256 * 1024;
const MAX_FRAME = 16 * 1024;
const MAX_BAD = 10;

describe('e2e: bad input', () => {
  let node: CatalystNodeProcess;
  let token: string;

  before(async () => {
    ({ node, token } = await startNodeWithToken(undefined, {
      env: {
        CATALYST_BATCH_BODY_LIMIT_BYTES: String(BATCH_BODY_LIMIT),
        CATALYST_MAX_FRAME_BYTES: String(MAX_FRAME),
        CATALYST_MAX_BAD_MESSAGES: String(MAX_BAD),
      },
    }));
  });

  after(async () => {
    // The server is still whole: it stores and delivers, and nothing invalid got into the store.
    try {
      const sub = await WsClient.subscribed(node.wsUrl, token, {}, 0);
      const ack = await publish(node.url, token, makeSignal({ ticker: 'LAST' }));
      const got = await sub.waitForSignals(ack.seq);
      assert.ok(got.every((s) => s.ticker !== 'BAD'));
      assert.equal(got.at(-1)?.ticker, 'LAST');
      sub.close();
      assert.ok(node.running, 'the node is still running');
      assert.ok(!node.logs.some((l) => /uncaught|unhandled/i.test(l)), 'no unhandled error was logged');
    } finally {
      await node.dispose();
    }
  });

  const post = (path: string, opts: Parameters<typeof request>[3]) =>
    request(node.url, 'POST', path, { token, ...opts });

  function assertError(r: { status: number; body: any }, status: number, code: string, field?: string) {
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body.error.code, code);
    assert.equal(typeof r.body.error.message, 'string');
    if (field !== undefined) assert.equal(r.body.error.field, field, r.body.error.message);
  }

  e2e('REST: malformed JSON, a non-object body, an empty body: 400 invalid_request', async () => {
    assertError(await post('/signals', { rawBody: '{"id": "x", ' }), 400, 'invalid_request');
    assertError(await post('/signals', { rawBody: 'null' }), 400, 'invalid_request');
    assertError(await post('/signals', { body: [makeSignal({ ticker: 'BAD' })] }), 400, 'invalid_request');
    assertError(await post('/signals', { rawBody: '"just a string"' }), 400, 'invalid_request');
    assertError(await post('/signals/batch', { rawBody: '[{"id": ' }), 400, 'invalid_request');
  });

  e2e('REST: a body that is not JSON: 415 for any content type but application/json', async () => {
    const body = JSON.stringify(makeSignal({ ticker: 'BAD' }));
    assertError(
      await post('/signals', { rawBody: body, headers: { 'content-type': 'application/xml' } }),
      415,
      'unsupported_media_type',
    );
    assertError(
      await post('/signals', { rawBody: body, headers: { 'content-type': 'text/plain' } }),
      415,
      'unsupported_media_type',
    );
  });

  e2e('REST: each missing required field is named', async () => {
    for (const field of [
      'id',
      'ticker',
      'title',
      'source',
      'catalyst',
      'sentiment',
      'confidence',
      'published_at',
    ]) {
      const s: Record<string, unknown> = { ...makeSignal({ ticker: 'BAD' }) };
      delete s[field];
      assertError(await post('/signals', { body: s }), 400, 'invalid_request', field);
    }
  });

  e2e('REST: wrong types and out-of-range values name the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ticker: 42 }, 'ticker'],
      [{ ticker: 'bad ticker' }, 'ticker'],
      [{ ticker: 'TOOLONGTICKER' }, 'ticker'],
      [{ confidence: 'high' }, 'confidence'],
      [{ confidence: 1.5 }, 'confidence'],
      [{ sentiment: -2 }, 'sentiment'],
      [{ sentiment: null }, 'sentiment'],
      [{ title: '' }, 'title'],
      [{ title: ['a'] }, 'title'],
      [{ catalyst: 'FDA Approval' }, 'catalyst'],
      [{ published_at: 'yesterday' }, 'published_at'],
      [{ published_at: '2026-13-45T99:00:00Z' }, 'published_at'],
      // Impossible instants are refused, not moved to another day.
      [{ published_at: '2026-02-30T00:00:00Z' }, 'published_at'],
      [{ published_at: '2026-04-31T00:00:00Z' }, 'published_at'],
      [{ published_at: '2026-11-23T24:00:00Z' }, 'published_at'],
      [{ url: 'ftp://example.com/x' }, 'url'],
      [{ score: 'lots' }, 'score'],
      [{ metadata: [1, 2] }, 'metadata'],
      [{ metadata: { blob: 'x'.repeat(9000) } }, 'metadata'],
      [{ id: 'has space' }, 'id'],
      [{ id: 'x'.repeat(201) }, 'id'],
      [{ seq: 5 }, 'seq'],
      [{ created_at: '2026-01-01T00:00:00Z' }, 'created_at'],
      [{ colour: 'red' }, 'colour'],
    ];
    for (const [over, field] of cases) {
      assertError(
        await post('/signals', { body: { ...makeSignal({ ticker: 'BAD' }), ...over } }),
        400,
        'invalid_request',
        field,
      );
    }
  });

  e2e(
    'REST: an oversized body is 413; an oversized batch is 413; more than 1000 items or none is 400',
    async () => {
      const big = { ...makeSignal({ ticker: 'BAD' }), title: 'x'.repeat(70 * 1024) };
      assertError(await post('/signals', { body: big }), 413, 'payload_too_large');
      const bigBatch = Array.from({ length: 40 }, () =>
        makeSignal({ ticker: 'BAD', metadata: { pad: 'x'.repeat(7000) } }),
      );
      assertError(await post('/signals/batch', { body: bigBatch }), 413, 'payload_too_large');
      const many = Array.from({ length: 1001 }, () => ({ id: 'x' }));
      assertError(await post('/signals/batch', { body: many }), 400, 'invalid_request');
      assertError(await post('/signals/batch', { body: [] }), 400, 'invalid_request');
      assertError(await post('/signals/batch', { body: { signals: { a: 1 } } }), 400, 'invalid_request');
      // A scalar is not coerced into a one-item batch.
      assertError(await post('/signals/batch', { body: { signals: 'no' } }), 400, 'invalid_request');
      assertError(
        await post('/signals/batch', { body: makeSignal({ ticker: 'BAD' }) }),
        400,
        'invalid_request',
      );
    },
  );

  e2e(
    'REST: a batch with bad items stores the good ones in order and answers each bad one with its error',
    async () => {
      const good1 = makeSignal();
      const good2 = makeSignal();
      const r = await post('/signals/batch', {
        body: [good1, { ...makeSignal({ ticker: 'BAD' }), confidence: 7 }, 'not an object', good2],
      });
      assert.equal(r.status, 201);
      const [a, b, c, d] = r.body.results;
      assert.equal(d.seq, a.seq + 1);
      assert.equal(b.error.code, 'invalid_request');
      assert.equal(b.error.field, 'confidence');
      assert.equal(c.error.code, 'invalid_request');
    },
  );

  e2e(
    'REST: bad query and path parameters are 400; an unknown route is 404, all in the error shape',
    async () => {
      const get = (path: string) => request(node.url, 'GET', path, { token });
      assertError(await get('/signals?limit=5000'), 400, 'invalid_request');
      assertError(await get('/signals?since_seq=-1'), 400, 'invalid_request');
      assertError(await get('/signals?min_confidence=lots'), 400, 'invalid_request');
      assertError(await get('/signals?sentiment=neutral'), 400, 'invalid_request');
      assertError(await get('/signals/abc'), 400, 'invalid_request');
      // Numbers a query string can spell but no seq can be (1e400 would coerce to Infinity).
      for (const v of ['1e400', 'Infinity', '-Infinity', 'NaN', '1.5', '9007199254740993']) {
        assertError(await get(`/signals?since_seq=${v}`), 400, 'invalid_request', 'querystring.since_seq');
        assertError(await get(`/signals/${v}`), 400, 'invalid_request');
        assertError(await get(`/signals?limit=${v}`), 400, 'invalid_request', 'querystring.limit');
      }
      assertError(await get('/signals/999999'), 404, 'not_found');
      assertError(await get('/nowhere'), 404, 'not_found');
    },
  );

  e2e(
    'REST: bodies are JSON as sent: no type coercion, no unknown field, the field at fault named',
    async () => {
      const { token: admin } = await createToken(node, ['admin']);
      const tokens = (body: unknown) => request(node.url, 'POST', '/admin/tokens', { token: admin, body });
      const cases: Array<[unknown, string]> = [
        [{ name: 8361534 }, 'name'],
        [{ name: true }, 'name'],
        [{ name: 'typed-bot', scopes: 'publish' }, 'scopes'],
        [{ name: 'typed-bot', scopes: [] }, 'scopes'],
        [{ name: 'typed-bot', scopes: ['publish', 7] }, 'scopes.1'],
        [{ name: 'typed-bot', scopes: ['nope'] }, 'scopes'],
        [{ name: 'typed-bot', colour: 'red' }, 'colour'],
        [{ name: 'typed-bot', scope: 'publish' }, 'scope'],
        [{ scopes: ['publish'] }, 'name'],
      ];
      for (const [body, field] of cases) assertError(await tokens(body), 400, 'invalid_request', field);
      const created = await tokens({ name: 'typed-bot', scopes: ['publish'] });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.deepEqual(created.body.scopes, ['publish']);
      // Nothing refused above was stored under a coerced name.
      const list = (await request(node.url, 'GET', '/admin/tokens', { token: admin })).body.tokens;
      assert.deepEqual(
        list.map((t: { name: string }) => t.name).filter((n: string) => /typed|8361534|true/.test(n)),
        ['typed-bot'],
      );
      // The batch envelope too.
      assertError(
        await post('/signals/batch', { body: { signals: [makeSignal({ ticker: 'BAD' })], colour: 'red' } }),
        400,
        'invalid_request',
      );
    },
  );

  e2e('REST: next_seq never passes the head, and every read names the store epoch', async () => {
    await publish(node.url, token, makeSignal());
    const head = await storeHead(node.url, token);
    const welcome = await WsClient.authed(node.wsUrl, token);
    const epoch = welcome.messages.find((m) => m.type === 'welcome')?.epoch;
    welcome.close();
    assert.equal(typeof epoch, 'string');
    for (const since of [head, head + 1, head + 1_000_000]) {
      const r = await request(node.url, 'GET', `/signals?since_seq=${since}`, { token });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.signals, []);
      // A position past the head belongs to another history: the poll goes on from the head.
      assert.equal(r.body.next_seq, head, `since_seq ${since}`);
      assert.equal(r.headers.get('x-catalyst-epoch'), epoch);
    }
    assert.equal(
      (await request(node.url, 'GET', `/signals/${head}`, { token })).headers.get('x-catalyst-epoch'),
      epoch,
    );
    const missing = await request(node.url, 'GET', `/signals/${head + 1_000_000}`, { token });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('x-catalyst-epoch'), epoch);
  });

  e2e('text is counted in characters and must be valid Unicode, over REST and the WebSocket', async () => {
    // 600 emoji are 1200 UTF-16 units: under the 1000-character title limit.
    const title = '📈'.repeat(600);
    const sub = await WsClient.subscribed(node.wsUrl, token, { sources: ['wire-🚀'] });
    const ack = await publish(node.url, token, makeSignal({ title, source: 'wire-🚀' }));
    const [live] = await sub.waitForSignals(1);
    sub.close();
    assert.deepEqual([live?.seq, live?.title], [ack.seq, title]);
    assert.equal((await request(node.url, 'GET', `/signals/${ack.seq}`, { token })).body.title, title);
    const long = { ...makeSignal({ ticker: 'BAD' }), title: '📈'.repeat(1001) };
    assertError(await post('/signals', { body: long }), 400, 'invalid_request', 'title');
    // JSON's \ud800 escape carries half a surrogate pair: no character, refused wherever it is.
    const lone = String.fromCharCode(0xd800);
    for (const [over, field] of [
      [{ title: `up ${lone}` }, 'title'],
      [{ source: lone }, 'source'],
      [{ metadata: { note: lone } }, 'metadata'],
      [{ metadata: { [lone]: 1 } }, 'metadata'],
    ] as const) {
      const body = JSON.stringify({ ...makeSignal({ ticker: 'BAD' }), ...over });
      assert.match(body, /\\ud800/, 'sent as the escape');
      assertError(await post('/signals', { rawBody: body }), 400, 'invalid_request', field);
    }
    const c = await WsClient.authed(node.wsUrl, token);
    c.send('{"type":"subscribe","filters":{"sources":["\\ud800"]}}');
    const err = await c.next((m) => m.type === 'error', 5000, 'an error for a lone surrogate');
    assert.deepEqual([err.code, err.field], ['invalid_request', 'filters.sources']);
    c.close();
  });

  e2e(
    'WS: malformed JSON, wrong types, missing fields, unknown types: an error each, the session stays open',
    async () => {
      const c = await WsClient.authed(node.wsUrl, token);
      const cases: Array<[unknown, string | undefined]> = [
        ['{"type": "subscribe", ', undefined],
        ['[]', undefined],
        ['42', undefined],
        [{ kind: 'subscribe' }, 'type'],
        [{ type: 'launch_rockets' }, 'type'],
        [{ type: 'subscribe', since_seq: 'ten' }, 'since_seq'],
        [{ type: 'subscribe', since_seq: -1 }, 'since_seq'],
        [{ type: 'subscribe', filters: 'AAA' }, 'filters.'],
        [{ type: 'subscribe', epoch: 7 }, 'epoch'],
      ];
      for (const [msg, field] of cases) {
        c.send(msg);
        const err = await c.next((m) => m.type === 'error', 5000, `error for ${JSON.stringify(msg)}`);
        assert.equal(err.code, 'invalid_request');
        if (field !== undefined) assert.equal(err.field, field, err.message);
        // A good message in between resets the count of bad ones in a row.
        c.send({ type: 'ping', ts: 1 });
        await c.next((m) => m.type === 'pong');
      }
      // An unauthenticated auth without a token names it too.
      const fresh = await WsClient.open(node.wsUrl);
      fresh.send({ type: 'auth' });
      const err = await fresh.next((m) => m.type === 'error');
      assert.equal(err.field, 'token');
      fresh.close();
      assert.equal(c.closedWith, undefined);
      assert.equal((await c.subscribe({}, 0)).type, 'subscribed');
      c.close();
    },
  );

  e2e('WS: a binary frame gets an error; the session stays open', async () => {
    const c = await WsClient.authed(node.wsUrl, token);
    c.ws.send(Buffer.from(JSON.stringify({ type: 'ping', ts: 1 })), { binary: true });
    const err = await c.next((m) => m.type === 'error');
    assert.equal(err.code, 'invalid_request');
    assert.match(err.message, /binary/);
    c.send({ type: 'ping', ts: 2 });
    await c.next((m) => m.type === 'pong' && m.ts === 2);
    c.close();
  });

  e2e('WS: a frame over the size limit closes 1009; invalid UTF-8 closes 1007', async () => {
    const big = await WsClient.authed(node.wsUrl, token);
    big.send({ type: 'ping', ts: 'x'.repeat(MAX_FRAME) });
    assert.equal((await big.waitClosed()).code, 1009);
    const garbled = await WsClient.authed(node.wsUrl, token);
    garbled.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    assert.equal((await garbled.waitClosed()).code, 1007);
    // The client's mistake, not the server's: logged below error level.
    const refused = await waitFor(
      () => node.logLines().filter((l) => l.msg === 'websocket frame refused').length >= 2 && node.logLines(),
      'the refused frames to be logged',
    );
    assert.ok(
      refused.every((l) => !/websocket/.test(String(l.msg)) || !['error', 'fatal'].includes(String(l.level))),
    );
  });

  e2e(`WS: ${MAX_BAD} bad messages in a row close 4400, also as one frame`, async () => {
    const c = await WsClient.authed(node.wsUrl, token);
    for (let i = 0; i < MAX_BAD * 3; i++) c.send('not json');
    const closed = await c.waitClosed();
    assert.equal(closed.code, 4400);
    assert.equal(c.messages.filter((m) => m.type === 'error').length, MAX_BAD);
    const d = await WsClient.authed(node.wsUrl, token);
    d.send(Array.from({ length: MAX_BAD }, () => ({ type: 'nope' })));
    assert.equal((await d.waitClosed()).code, 4400);
    // A frame of more than 100 messages is refused whole.
    const e = await WsClient.authed(node.wsUrl, token);
    e.send(Array.from({ length: 101 }, (_, i) => ({ type: 'ping', ts: i })));
    const err = await e.next((m) => m.type === 'error');
    assert.equal(err.code, 'invalid_request');
    assert.ok(!e.messages.some((m) => m.type === 'pong'));
    e.close();
  });

  e2e(
    'WS: a flood of 5000 pings is answered in order; a flood of subscribes ends in one clean replay',
    async () => {
      const c = await WsClient.authed(node.wsUrl, token);
      for (let i = 0; i < 5000; i++) c.send({ type: 'ping', ts: i });
      await c.next((m) => m.type === 'pong' && m.ts === 4999, 60_000, 'the last pong');
      const pongs = c.messages.filter((m) => m.type === 'pong').map((m) => m.ts);
      assert.deepEqual(
        pongs,
        Array.from({ length: 5000 }, (_, i) => i),
      );

      const acks = await publishBatch(
        node.url,
        token,
        Array.from({ length: 300 }, () => makeSignal()),
      );
      const head = acks.at(-1)?.seq as number; // from the publisher: a WebSocket node may not have seen it yet
      // Each subscribe replaces the one before; the last one is told apart by its filters.
      for (let i = 0; i < 299; i++) c.send({ type: 'subscribe', filters: {}, since_seq: 0 });
      c.send({ type: 'subscribe', filters: { min_confidence: 0 }, since_seq: 0 });
      await c.next(
        (m) => m.type === 'subscribed' && m.filters.min_confidence === 0,
        60_000,
        'the last subscribed',
      );
      const lastSubscribed = c.messages.findIndex(
        (m) => m.type === 'subscribed' && m.filters.min_confidence === 0,
      );
      await c.caughtUp(head, 60_000);
      const after = c.messages
        .slice(lastSubscribed + 1)
        .filter((m) => m.type === 'signal')
        .map((m) => m.seq);
      // Superseded replays stop sending; the last subscribe's replay is whole, once, in order.
      assert.deepEqual(
        after,
        Array.from({ length: head }, (_, i) => i + 1),
      );
      c.close();
    },
  );
});

describe('e2e: floods against the rate limits', () => {
  let node: CatalystNodeProcess;
  let token: string;

  before(async () => {
    ({ node, token } = await startNodeWithToken(undefined, {
      env: { CATALYST_RATE_WS_MESSAGES_PER_SESSION: '50/60s', CATALYST_RATE_PUBLISH_PER_TOKEN: '20/60s' },
    }));
  });

  after(() => node.dispose());

  e2e('WS: a flood of frames closes that session 4429; another session carries on', async () => {
    const calm = await WsClient.subscribed(node.wsUrl, token);
    const flood = await WsClient.authed(node.wsUrl, token);
    for (let i = 0; i < 500; i++) flood.send({ type: 'ping', ts: i });
    const closed = await flood.waitClosed();
    assert.equal(closed.code, 4429);
    const pongs = flood.messages.filter((m) => m.type === 'pong').map((m) => m.ts);
    // The auth frame spent one of the 50: the first 49 pings were answered, in order, then nothing.
    // With Redis the count is shared, and a Redis call slower than its policy falls back to the
    // in-memory limiter, which counts afresh: then up to 50 more, still in order, still cut short.
    const answered = process.env.CATALYST_E2E_BACKEND === 'pg-redis-2' ? pongs.length : 49;
    assert.ok(answered >= 49 && answered < 49 + 50, `${answered} pings answered`);
    assert.deepEqual(
      pongs,
      Array.from({ length: answered }, (_, i) => i),
    );
    const ack = await publish(node.url, token, makeSignal());
    await calm.waitForSignals(1);
    assert.equal(calm.seqs()[0], ack.seq);
    await calm.caughtUp(ack.seq);
    assert.equal(calm.closedWith, undefined);
    calm.close();
  });

  e2e('WS: the limit counts messages, not frames: one frame of 100 pings is over a limit of 50', async () => {
    const c = await WsClient.authed(node.wsUrl, token);
    c.ws.send(JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ type: 'ping', ts: i }))));
    assert.equal((await c.waitClosed()).code, 4429);
    assert.equal(c.messages.filter((m) => m.type === 'pong').length, 0);
  });

  e2e(
    'REST: a flood of publishes gets 429 rate_limited with Retry-After; only the accepted ones are stored',
    async () => {
      // The store's view (REST), not a gateway's: on two nodes that may lag the publishes.
      const head0 = await storeHead(node.url, token);
      const results = [];
      for (let i = 0; i < 40; i++)
        results.push(await request(node.url, 'POST', '/signals', { token, body: makeSignal() }));
      const accepted = results.filter((r) => r.status === 201);
      const limited = results.filter((r) => r.status === 429);
      assert.equal(accepted.length + limited.length, 40);
      assert.ok(accepted.length >= 1 && accepted.length <= 20, `${accepted.length} accepted`);
      assert.ok(limited.length >= 20);
      for (const r of limited) {
        assert.equal(r.body.error.code, 'rate_limited');
        assert.ok(Number(r.headers.get('retry-after')) >= 1);
      }
      assert.equal(
        await storeHead(node.url, token),
        head0 + accepted.length,
        'only the accepted ones were stored',
      );
      assert.ok(node.running);
    },
  );
});
