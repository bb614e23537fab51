// The API documents a node serves: OpenAPI 3.1 at /openapi.json and AsyncAPI 3.0 at /asyncapi.json
// validate against their specifications, name every REST route, and name (with a payload schema that
// fits) every message type the gateway accepts or sends.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { createToken } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config.js';
import { CloseCodes } from '../../src/domain/disconnects.js';
import { type CatalystNode, openCommandStore, startCatalyst } from '../../src/main.js';
import { publish, request } from '../support/node.js';
import { makeSignal } from '../support/signals.js';
import { type Message, WsClient } from '../support/ws-client.js';
import { asyncApiErrors, openApiErrors, payloadValidator } from './spec-validators.js';

/** Every METHOD path the router holds, from Fastify's own route tree (HEAD twins left out). */
function routerRoutes(tree: string): string[] {
  const out: string[] = [];
  const stack: Array<{ depth: number; path: string }> = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!m) continue;
    const depth = (m[1] as string).length;
    while (stack.length > 0 && (stack[stack.length - 1] as { depth: number }).depth >= depth) stack.pop();
    const path = (stack[stack.length - 1]?.path ?? '') + (m[2] as string);
    stack.push({ depth, path });
    for (const method of (m[3] ?? '').split(', ').filter(Boolean)) {
      if (method !== 'HEAD') out.push(`${method} ${path}`);
    }
  }
  return out;
}

/** `type` literals in the gateway's source: what it parses (`case 'x'`) and sends (`type: 'x'`). */
function gatewayMessageTypes(): Set<string> {
  const dir = join(import.meta.dirname, '../../src/gateway');
  const types = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts') && n !== 'message-schemas.ts')) {
    const text = readFileSync(join(dir, f), 'utf8');
    for (const m of text.matchAll(/\btype: '([a-z_]+)'|\bcase '([a-z_]+)'/g))
      types.add((m[1] ?? m[2]) as string);
  }
  return types;
}

describe('API documents', () => {
  let node: CatalystNode;
  let dataDir: string;
  let token: string;
  before(async () => {
    // Compile both specifications' schemas first: seconds of CPU that, with sockets open, would let
    // the in-process server's keep-alive timer fire late and close a connection fetch is reusing.
    openApiErrors({});
    asyncApiErrors({});
    dataDir = mkdtempSync(join(tmpdir(), 'catalyst-docs-'));
    const config = loadConfig({ port: '0', 'data-dir': dataDir }, { CATALYST_HEARTBEAT_MS: '100' });
    const store = await openCommandStore(config);
    ({ token } = await createToken(store, 'docs', ['publish', 'subscribe', 'admin']));
    await store.close();
    node = await startCatalyst(config, { logger: pino({ level: 'silent' }) });
  });
  after(async () => {
    await node?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('/openapi.json is valid OpenAPI 3.1 and names every REST route with its auth', async () => {
    const r = await request(node.url, 'GET', '/openapi.json');
    assert.equal(r.status, 200);
    const doc = r.body;
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(openApiErrors(doc), '');

    const documented = new Set(
      Object.entries(doc.paths as Record<string, object>).flatMap(([path, item]) =>
        Object.keys(item).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      ),
    );
    // WebSocket upgrades are the AsyncAPI document's; the console is static files.
    const rest = routerRoutes(node.app.printRoutes({ commonPrefix: false })).filter(
      (r) => !/ \/ws\b/.test(r) && !r.includes(' /console') && !r.endsWith(' *'),
    );
    assert.ok(rest.length >= 12, `the route tree was read: ${rest.join(', ')}`);
    assert.deepEqual(
      rest.filter((r) => !documented.has(r)),
      [],
      'every REST route is documented',
    );
    assert.deepEqual(doc.paths['/admin/tokens'].post.security, [{ bearer: [] }]);
    assert.match(doc.paths['/signals'].get.description, /subscribe scope/);
    assert.equal(doc.paths['/health/live'].get.security, undefined, 'health needs no token');
    // A publish body is documented field by field, without what the server assigns.
    assert.deepEqual(doc.paths['/signals'].post.requestBody.content['application/json'].schema, {
      $ref: '#/components/schemas/NewSignal',
    });
    assert.ok(!('seq' in doc.components.schemas.NewSignal.properties));
    // A poller learns of a restore from the epoch header on every read.
    for (const path of ['/signals', '/signals/{seq}'])
      assert.ok(doc.paths[path].get.responses['200'].headers['x-catalyst-epoch'], path);
  });

  it('every route answers what its OpenAPI operation documents', async () => {
    const doc = (await request(node.url, 'GET', '/openapi.json')).body;
    const fits = payloadValidator(doc);
    const exercised = new Set<string>();
    /** One real call; its status must be documented and its body fit that response's schema. */
    const call = async (method: string, template: string, path = template, body?: unknown, auth = token) => {
      const r = await request(node.url, method, path, { token: auth, body });
      const op = doc.paths[template]?.[method.toLowerCase()];
      assert.ok(op, `${method} ${template} is documented`);
      // A body the node stored whole fits what the document says a body is.
      const refusedInside = (r.body?.results ?? []).some((x: { status: number }) => x.status >= 400);
      if (body !== undefined && r.status < 300 && !refusedInside)
        assert.equal(
          fits(op.requestBody?.content?.['application/json']?.schema, body),
          '',
          `${method} ${path}: the body it accepted fits its documented schema`,
        );
      const documented = op.responses[String(r.status)] ?? op.responses.default;
      assert.ok(documented, `${method} ${path} answered ${r.status}, which is not documented`);
      const content = documented.content as Record<string, { schema: Record<string, unknown> }> | undefined;
      if (content?.['application/json'])
        assert.equal(
          fits(content['application/json'].schema, r.body),
          '',
          `${method} ${path} ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`,
        );
      else if (content?.['text/plain']) assert.equal(typeof r.body, 'string');
      else assert.equal(r.body, undefined, `${method} ${path} ${r.status} documents no body`);
      exercised.add(`${method} ${template}`);
      return r;
    };
    for (const path of ['/health/live', '/health/ready', '/metrics', '/openapi.json', '/asyncapi.json'])
      await call('GET', path);
    const signal = makeSignal();
    assert.equal((await call('POST', '/signals', '/signals', signal)).status, 201);
    assert.equal((await call('POST', '/signal', '/signal', signal)).status, 200);
    await call('POST', '/signals/batch', '/signals/batch', { signals: [makeSignal(), makeSignal()] });
    const batch = await call('POST', '/signals/batch', '/signals/batch', [makeSignal(), { ticker: 'x' }]);
    assert.deepEqual(
      batch.body.results.map((r: { status: number }) => r.status),
      [201, 400],
    );
    await call('GET', '/signals', '/signals?since_seq=0&limit=2');
    await call('GET', '/signals/{seq}', '/signals/1');
    assert.equal((await call('GET', '/signals/{seq}', '/signals/999999')).status, 404);
    assert.equal((await call('GET', '/signals', '/signals', undefined, 'cat_not_a_token')).status, 401);
    const created = await call('POST', '/admin/tokens', '/admin/tokens', {
      name: 'docs-bot',
      scopes: ['subscribe'],
    });
    assert.equal(created.status, 201);
    await call('GET', '/admin/tokens');
    assert.equal((await call('DELETE', '/admin/tokens/{name}', '/admin/tokens/docs-bot')).status, 204);
    assert.equal((await call('DELETE', '/admin/tokens/{name}', '/admin/tokens/docs-bot')).status, 404);
    await call('GET', '/admin/dependencies');
    await call('GET', '/admin/pipeline/items', '/admin/pipeline/items?limit=5');
    await call('GET', '/admin/pipeline/feeds');
    const operations = Object.entries(doc.paths as Record<string, object>).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
    );
    assert.deepEqual(
      operations.filter((o) => !exercised.has(o)),
      [],
      'every documented operation was called',
    );
  });

  it('the validators refuse broken documents', async () => {
    const openapi = (await request(node.url, 'GET', '/openapi.json')).body;
    assert.notEqual(openApiErrors({ ...openapi, info: undefined }), '');
    assert.notEqual(openApiErrors({ ...openapi, paths: { '/x': { get: { responses: 1 } } } }), '');
    const asyncapi = (await request(node.url, 'GET', '/asyncapi.json')).body;
    assert.notEqual(asyncApiErrors({ ...asyncapi, channels: { session: { address: 5 } } }), '');
    assert.notEqual(asyncApiErrors({ ...asyncapi, asyncapi: '2.6.0' }), '');
  });

  it('/asyncapi.json is valid AsyncAPI 3.0 with every message type and close code', async () => {
    const r = await request(node.url, 'GET', '/asyncapi.json');
    assert.equal(r.status, 200);
    const doc = r.body;
    assert.equal(doc.asyncapi, '3.0.0');
    assert.equal(asyncApiErrors(doc), '');
    const declared = new Set(Object.keys(doc.components.messages));
    const missing = [...gatewayMessageTypes()].filter((t) => !declared.has(t));
    assert.deepEqual(missing, [], 'every type in the gateway source is declared');
    const closes = doc.channels.session['x-close-codes'].map((c: { code: number }) => c.code);
    assert.deepEqual(closes.sort(), Object.values(CloseCodes).sort());
  });

  it('every message of a real session is declared and fits its payload schema', async (t) => {
    const doc = (await request(node.url, 'GET', '/asyncapi.json')).body;
    const fits = payloadValidator(doc);
    const check = (m: Message) => {
      const declared = doc.components.messages[m.type];
      assert.ok(declared, `message type ${m.type} is declared`);
      assert.equal(fits(declared.payload, m), '', `${m.type} fits its schema: ${JSON.stringify(m)}`);
    };
    const sent = [
      { type: 'auth', token },
      { type: 'subscribe', filters: { tickers: ['nbtx'], min_confidence: 0.5 }, since_seq: 0 },
      { type: 'ping', ts: 1 },
      { type: 'unsubscribe' },
    ];
    for (const m of sent) check(m as Message);

    const ws = await WsClient.open(`${node.url.replace(/^http/, 'ws')}/ws`);
    t.after(() => ws.close());
    for (const m of sent.slice(0, 3)) ws.send(m);
    await ws.next((m) => m.type === 'pong');
    await publish(node.url, token, makeSignal({ ticker: 'NBTX', confidence: 0.9 }));
    await ws.next((m) => m.type === 'signal');
    await ws.next((m) => m.type === 'heartbeat');
    ws.send({ type: 'bogus' });
    await ws.next((m) => m.type === 'error');
    ws.send(sent[3]);
    await ws.next((m) => m.type === 'unsubscribed');
    ws.send({ type: 'subscribe', since_seq: 1, epoch: 'another-history' });
    await ws.next((m) => m.type === 'reset');
    for (const m of ws.messages) check(m);
    const seen = new Set(ws.messages.map((m) => m.type));
    const server = Object.keys(doc.components.messages).filter((t) => doc.operations[`receive_${t}`]);
    assert.deepEqual(
      server.filter((t) => !seen.has(t)),
      [],
      'the session produced every server message',
    );
  });
});
