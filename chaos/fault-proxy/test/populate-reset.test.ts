// /populate (add or replace, all-or-nothing validation, partial results on failure), /reset and /metrics.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { assertApiError, parsed } from './support/assert-api.js';
import { connect, echo, roundTrip, startHarness } from './support/harness.js';

type ProxyJson = { name: string; listen: string; enabled: boolean; toxics: unknown[] };

test('populate with an empty array answers 201 and [] (Toxiproxy sends null)', async (t) => {
  const h = await startHarness(t);
  const r = await h.api('POST', '/populate', []);
  assert.equal(r.status, 201);
  assert.equal(r.text, '{"proxies":[]}');
  assert.equal(r.headers.get('content-type'), 'application/json');
});

test('populate validates every entry first and answers its errors in JSON', async (t) => {
  const h = await startHarness(t);
  const bad = await h.api('POST', '/populate', { name: 'a' });
  assert.equal(bad.status, 400);
  assert.equal(bad.headers.get('content-type'), 'application/json');
  const b = parsed(bad);
  assert.deepEqual(Object.keys(b), ['error', 'status', 'proxies']);
  assert.match(
    b.error as string,
    /^bad request body: json: cannot unmarshal object into Go value of type \[\]struct/,
  );
  assert.equal(b.proxies, null);
  const missing = await h.api('POST', '/populate', [
    { name: 'ok', upstream: 'x:1', listen: '127.0.0.1:0' },
    { upstream: 'x:1' },
  ]);
  assert.equal(
    missing.text,
    '{"error":"missing required field: name at proxy 2","status":400,"proxies":null}',
  );
  assert.equal(
    parsed(await h.api('POST', '/populate', [{ name: 'a' }])).error,
    'missing required field: upstream at proxy 1',
  );
  assert.equal((await h.api('GET', '/proxies')).text, '{}');
});

test('populate adds or replaces: an identical entry keeps its toxics and state, a changed one is rebuilt', async (t) => {
  const h = await startHarness(t);
  const up = await echo(t);
  const first = parsed(
    await h.api('POST', '/populate', [
      { name: 'a', listen: '127.0.0.1:0', upstream: `127.0.0.1:${up.port}` },
      { name: 'b', listen: '127.0.0.1:0', upstream: `127.0.0.1:${up.port}`, enabled: false },
    ]),
  ).proxies as ProxyJson[];
  assert.deepEqual(
    first.map((p) => [p.name, p.enabled]),
    [
      ['a', true],
      ['b', false],
    ],
  );
  const a = first[0] as ProxyJson;
  await h.toxic('a', { type: 'latency', attributes: { latency: 10 } });
  await h.api('PATCH', '/proxies/a', { enabled: false });
  await h.api('PATCH', '/proxies/a', { enabled: true });
  const same = parsed(
    await h.api('POST', '/populate', [
      {
        name: 'a',
        listen: `localhost:${a.listen.split(':')[1]}`,
        upstream: `127.0.0.1:${up.port}`,
        enabled: false,
      },
    ]),
  ).proxies as ProxyJson[];
  assert.equal(same[0]?.enabled, true);
  assert.equal(same[0]?.toxics.length, 1);
  const changed = parsed(
    await h.api('POST', '/populate', [{ name: 'a', listen: a.listen, upstream: '127.0.0.1:1' }]),
  ).proxies as ProxyJson[];
  assert.equal(changed[0]?.toxics.length, 0);
  assert.equal(changed[0]?.listen, a.listen);
});

test('populate stops at the first failing entry and keeps what it applied', async (t) => {
  const h = await startHarness(t);
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.after(() => taken.close());
  const port = (taken.address() as net.AddressInfo).port;
  const r = await h.api('POST', '/populate', [
    { name: 'one', listen: '127.0.0.1:0', upstream: 'x:1' },
    { name: 'two', listen: `127.0.0.1:${port}`, upstream: 'x:1' },
    { name: 'three', listen: '127.0.0.1:0', upstream: 'x:1' },
  ]);
  assert.equal(r.status, 500);
  assert.equal(r.headers.get('content-type'), 'application/json');
  const b = parsed(r) as { error: string; status: number; proxies: ProxyJson[] };
  assert.equal(b.error, `listen tcp 127.0.0.1:${port}: bind: address already in use`);
  assert.equal(b.status, 500);
  assert.deepEqual(
    b.proxies.map((p) => p.name),
    ['one'],
  );
  assert.deepEqual(Object.keys(parsed(await h.api('GET', '/proxies'))), ['one']);
});

test('reset re-enables every proxy on its port and removes every toxic, answering 204', async (t) => {
  const h = await startHarness(t);
  const up = await echo(t);
  const port = await h.proxy('a', up.port);
  await h.proxy('b', up.port);
  await h.toxic('a', { type: 'latency', attributes: { latency: 400 } });
  await h.toxic('b', { type: 'noop', stream: 'upstream' });
  await h.api('PATCH', '/proxies/a', { enabled: false });
  const r = await h.api('POST', '/reset');
  assert.equal(r.status, 204);
  assert.equal(r.text, '');
  const all = parsed(await h.api('GET', '/proxies')) as Record<string, ProxyJson>;
  assert.equal(all.a?.enabled, true);
  assert.equal(all.a?.listen, `127.0.0.1:${port}`);
  assert.deepEqual(all.a?.toxics, []);
  assert.deepEqual(all.b?.toxics, []);
  const s = await connect(t, port);
  assert.ok((await roundTrip(s)) < 300, 'latency gone after reset');
});

test('reset answers 500 when a proxy cannot be re-enabled', async (t) => {
  const h = await startHarness(t);
  const port = await h.proxy('a', 1);
  await h.api('PATCH', '/proxies/a', { enabled: false });
  const squatter = net.createServer();
  await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
  t.after(() => squatter.close());
  assertApiError(
    await h.api('POST', '/reset'),
    500,
    `listen tcp 127.0.0.1:${port}: bind: address already in use`,
  );
});

test('metrics count bytes while connections are open, per proxy and direction', async (t) => {
  const h = await startHarness(t);
  const up = await echo(t);
  const port = await h.proxy('m', up.port);
  const s = await connect(t, port);
  await roundTrip(s, 'x'.repeat(1234));
  const r = await h.api('GET', '/metrics');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  const labels = `listener="127.0.0.1:${port}",proxy="m",upstream="127.0.0.1:${up.port}"`;
  for (const name of ['received', 'sent']) {
    for (const direction of ['upstream', 'downstream']) {
      assert.ok(
        r.text.includes(`toxiproxy_proxy_${name}_bytes_total{direction="${direction}",${labels}} 1234\n`),
        `${name} ${direction} in\n${r.text}`,
      );
    }
  }
  assert.match(r.text, /faultproxy_proxy_connections\{proxy="m"\} 1\n/);
  assert.equal((await h.api('DELETE', '/metrics')).status, 200);
});
