// The HTTP API over raw HTTP: status codes, bodies byte for byte, and headers, as Toxiproxy 2.12.0 sends them.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { assertApiError, parsed } from './support/assert-api.js';
import { echo, startHarness } from './support/harness.js';

const JSON_ERROR = 'text/plain; charset=utf-8';
const body = parsed;

test('version answers the exact Toxiproxy body with a 20-character request id', async (t) => {
  const h = await startHarness(t);
  const r = await h.api('GET', '/version');
  assert.equal(r.status, 200);
  assert.equal(r.text, '{"version": "2.12.0"}\n');
  assert.equal(r.headers.get('content-type'), 'application/json;charset=utf-8');
  assert.match(r.headers.get('x-toxiproxy-request-id') ?? '', /^[0-9a-v]{20}$/);
  const again = await h.api('GET', '/version');
  assert.notEqual(again.headers.get('x-toxiproxy-request-id'), r.headers.get('x-toxiproxy-request-id'));
});

test('unknown paths are a text 404, wrong methods an empty 405, browsers a 403', async (t) => {
  const h = await startHarness(t);
  const missing = await h.api('GET', '/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.text, '404 page not found\n');
  assert.equal(missing.headers.get('content-type'), JSON_ERROR);
  assert.equal(missing.headers.get('x-toxiproxy-request-id'), null);
  for (const [method, path] of [
    ['PUT', '/proxies'],
    ['DELETE', '/proxies/x/toxics'],
    ['GET', '/reset'],
  ] as const) {
    const r = await h.api(method, path);
    assert.equal(r.status, 405, `${method} ${path}`);
    assert.equal(r.text, '');
  }
  assert.equal((await h.api('GET', '/proxies/')).status, 404);
  const browser = await h.api('GET', '/proxies', undefined, { 'User-Agent': 'Mozilla/5.0 (X11)' });
  assert.equal(browser.status, 403);
  assert.equal(browser.text, 'User agent not allowed\n');
  assert.equal(browser.headers.get('content-type'), JSON_ERROR);
});

test('create answers 201 with the proxy in Toxiproxy field order and localhost bound on IPv4', async (t) => {
  const h = await startHarness(t);
  const up = await echo(t);
  const r = await h.api('POST', '/proxies', {
    name: 'a',
    listen: 'localhost:0',
    upstream: `localhost:${up.port}`,
  });
  assert.equal(r.status, 201);
  assert.equal(r.headers.get('content-type'), 'application/json');
  const p = body(r);
  assert.deepEqual(Object.keys(p), ['name', 'listen', 'upstream', 'enabled', 'Logger', 'toxics']);
  assert.match(p.listen as string, /^127\.0\.0\.1:\d+$/);
  assert.notEqual(p.listen, '127.0.0.1:0');
  assert.equal(p.upstream, `localhost:${up.port}`);
  assert.equal(p.enabled, true);
  assert.deepEqual(p.Logger, {});
  assert.deepEqual(p.toxics, []);
  assert.deepEqual(body(await h.api('GET', '/proxies/a')), p);
  const anywhere = body(await h.api('POST', '/proxies', { name: 'b', upstream: 'x:1' }));
  assert.match(
    anywhere.listen as string,
    /^127\.0\.0\.1:[1-9]\d*$/,
    'no listen means loopback, not every interface',
  );
  const all = body(await h.api('GET', '/proxies'));
  assert.deepEqual(Object.keys(all), ['a', 'b']);
  assert.deepEqual(all.a, p);
});

test('create rejects bad bodies, missing fields, duplicates and unbindable addresses', async (t) => {
  const h = await startHarness(t);
  assertApiError(await h.api('POST', '/proxies', ''), 400, 'bad request body: EOF');
  assertApiError(
    await h.api('POST', '/proxies', '[]'),
    400,
    'bad request body: json: cannot unmarshal array into Go value of type toxiproxy.Proxy',
  );
  assertApiError(
    await h.api('POST', '/proxies', { name: 5, upstream: 'x:1' }),
    400,
    'bad request body: json: cannot unmarshal number into Go struct field Proxy.name of type string',
  );
  assert.match(body(await h.api('POST', '/proxies', '{"name":')).error as string, /^bad request body: /);
  assertApiError(await h.api('POST', '/proxies', { upstream: 'x:1' }), 400, 'missing required field: name');
  const formEncoded = await h.api('POST', '/proxies', JSON.stringify({ name: 'form', upstream: 'x:1' }), {
    'Content-Type': 'application/x-www-form-urlencoded',
  });
  assert.equal(formEncoded.status, 201, 'the body is JSON whatever the Content-Type says');
  assertApiError(await h.api('POST', '/proxies', { name: 'a' }), 400, 'missing required field: upstream');
  assertApiError(
    await h.api('POST', '/proxies', { name: 'a', listen: 'nonsense', upstream: 'x:1' }),
    500,
    'listen tcp: address nonsense: missing port in address',
  );
  assertApiError(await h.api('GET', '/proxies/a'), 404, 'proxy not found');

  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.after(() => taken.close());
  const port = (taken.address() as net.AddressInfo).port;
  assertApiError(
    await h.api('POST', '/proxies', { name: 'b', listen: `127.0.0.1:${port}`, upstream: 'x:1' }),
    500,
    `listen tcp 127.0.0.1:${port}: bind: address already in use`,
  );
  assert.equal((await h.api('GET', '/proxies/b')).status, 404);

  // Upstreams are not resolved until a client connects, and names are checked before binding.
  assert.equal(
    (await h.api('POST', '/proxies', { name: 'c', listen: '127.0.0.1:0', upstream: 'somehost:12345' }))
      .status,
    201,
  );
  assertApiError(
    await h.api('POST', '/proxies', { name: 'c', listen: `127.0.0.1:${port}`, upstream: 'x:1' }),
    409,
    'proxy already exists',
  );
});

test('a disabled proxy keeps its configured listen; the index is sorted by name', async (t) => {
  const h = await startHarness(t);
  for (const name of ['zeta', 'alpha', 'mid']) {
    const r = await h.api('POST', '/proxies', {
      name,
      listen: '127.0.0.1:0',
      upstream: 'x:1',
      enabled: false,
    });
    assert.equal(body(r).listen, '127.0.0.1:0');
    assert.equal(body(r).enabled, false);
  }
  assert.deepEqual(Object.keys(body(await h.api('GET', '/proxies'))), ['alpha', 'mid', 'zeta']);
});

test('update lays the body over current values, keeps the port across disable/enable and reports bad addresses', async (t) => {
  const h = await startHarness(t);
  const up = await echo(t);
  const port = await h.proxy('p', up.port);
  const disabled = body(await h.api('PATCH', '/proxies/p', { enabled: false, name: 'renamed' }));
  assert.equal(disabled.enabled, false);
  assert.equal(disabled.name, 'p');
  assert.equal(disabled.listen, `127.0.0.1:${port}`);
  const enabled = await h.api('POST', '/proxies/p', { enabled: true });
  assert.equal(enabled.status, 200);
  assert.equal(body(enabled).listen, `127.0.0.1:${port}`);
  assert.equal(body(enabled).enabled, true);
  // The same address spelled localhost is not a change; port 0 always is.
  assert.equal(
    body(await h.api('PATCH', '/proxies/p', { listen: `localhost:${port}` })).listen,
    `127.0.0.1:${port}`,
  );
  const moved = body(await h.api('PATCH', '/proxies/p', { listen: '127.0.0.1:0' }));
  assert.notEqual(moved.listen, `127.0.0.1:${port}`);
  assert.equal(moved.enabled, true);
  assertApiError(
    await h.api('PATCH', '/proxies/p', { listen: 'bogus' }),
    500,
    'address bogus: missing port in address',
  );
  assertApiError(await h.api('PATCH', '/proxies/nope', { enabled: false }), 404, 'proxy not found');
  assertApiError(await h.api('PATCH', '/proxies/p', ''), 400, 'bad request body: EOF');
});

test('a failed restart leaves the proxy disabled with the new values', async (t) => {
  const h = await startHarness(t);
  await h.proxy('p', 1);
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.after(() => taken.close());
  const port = (taken.address() as net.AddressInfo).port;
  assertApiError(
    await h.api('PATCH', '/proxies/p', { listen: `127.0.0.1:${port}`, upstream: 'other:2' }),
    500,
    `listen tcp 127.0.0.1:${port}: bind: address already in use`,
  );
  const p = body(await h.api('GET', '/proxies/p'));
  assert.equal(p.enabled, false);
  assert.equal(p.listen, `127.0.0.1:${port}`);
  assert.equal(p.upstream, 'other:2');
});

test('delete answers 204 with no body, then 404', async (t) => {
  const h = await startHarness(t);
  const port = await h.proxy('p', 1);
  const r = await h.api('DELETE', '/proxies/p');
  assert.equal(r.status, 204);
  assert.equal(r.text, '');
  assertApiError(await h.api('DELETE', '/proxies/p'), 404, 'proxy not found');
  await new Promise<void>((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => reject(new Error('the deleted proxy still accepts')));
    s.once('error', () => resolve());
  });
});
