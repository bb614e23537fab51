// /proxies/{p}/toxics over raw HTTP: defaults, validation order, update merging and listing order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertApiError, parsed } from './support/assert-api.js';
import { startHarness } from './support/harness.js';

test('a toxic is created with 200, every attribute filled in and Toxiproxy defaults', async (t) => {
  const h = await startHarness(t);
  await h.proxy('p', 1);
  const r = await h.api('POST', '/proxies/p/toxics', { type: 'latency', attributes: { latency: 100 } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/json');
  assert.equal(
    r.text,
    '{"attributes":{"latency":100,"jitter":0},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1}',
  );
  const defaults: Record<string, Record<string, number>> = {
    bandwidth: { rate: 0 },
    slow_close: { delay: 0 },
    timeout: { timeout: 0 },
    reset_peer: { timeout: 0 },
    slicer: { average_size: 0, size_variation: 0, delay: 0 },
    limit_data: { bytes: 0 },
    noop: {},
  };
  for (const [type, attributes] of Object.entries(defaults)) {
    const created = parsed(
      await h.api('POST', '/proxies/p/toxics', { type, stream: 'upstream', attributes: null }),
    );
    assert.deepEqual(created.attributes, attributes, type);
    assert.equal(created.name, `${type}_upstream`);
  }
  const odd = parsed(
    await h.api('POST', '/proxies/p/toxics', { type: 'latency', stream: 'UpStream', toxicity: 2 }),
  );
  assert.equal(odd.stream, 'UpStream');
  assert.equal(odd.name, 'latency_UpStream');
  assert.equal(odd.toxicity, 2);
  assert.deepEqual(parsed(await h.api('GET', '/proxies/p/toxics/latency_UpStream')), odd);
});

test('toxic creation is checked in Toxiproxy order: body, stream, type, duplicate, attributes', async (t) => {
  const h = await startHarness(t);
  await h.proxy('p', 1);
  assertApiError(await h.api('POST', '/proxies/nope/toxics', { type: 'latency' }), 404, 'proxy not found');
  assertApiError(await h.api('POST', '/proxies/p/toxics', ''), 400, 'bad request body: EOF');
  const invalidStream = 'stream was invalid, can be either upstream or downstream';
  assertApiError(
    await h.api('POST', '/proxies/p/toxics', { type: 'nope', stream: 'sideways' }),
    400,
    invalidStream,
  );
  assertApiError(
    await h.api('POST', '/proxies/p/toxics', { type: 'latency', stream: '' }),
    400,
    invalidStream,
  );
  assertApiError(await h.api('POST', '/proxies/p/toxics', { type: 'down' }), 400, 'invalid toxic type');
  assertApiError(
    await h.api('POST', '/proxies/p/toxics', { attributes: { latency: 1 } }),
    400,
    'invalid toxic type',
  );
  assertApiError(
    await h.api('POST', '/proxies/p/toxics', { type: 'latency', attributes: { latency: 1.5 } }),
    400,
    'bad request body: json: cannot unmarshal number 1.5 into Go struct field LatencyToxic.attributes.latency of type int64',
  );
  assertApiError(
    await h.api('POST', '/proxies/p/toxics', { type: 'latency', attributes: { latency: '100' } }),
    400,
    'bad request body: json: cannot unmarshal string into Go struct field LatencyToxic.attributes.latency of type int64',
  );
  assert.equal(
    (await h.api('POST', '/proxies/p/toxics', { name: 'x', type: 'latency', attributes: { latency: -5 } }))
      .status,
    200,
  );
  // A name clash is a 409 even across streams and types, and is found before bad attributes.
  assertApiError(
    await h.api('POST', '/proxies/p/toxics', {
      name: 'x',
      type: 'bandwidth',
      stream: 'upstream',
      attributes: { rate: 'x' },
    }),
    409,
    'toxic already exists',
  );
});

test('toxics list upstream first, then downstream, each in insertion order', async (t) => {
  const h = await startHarness(t);
  await h.proxy('p', 1);
  for (const [name, stream] of [
    ['d1', 'downstream'],
    ['u1', 'upstream'],
    ['d2', 'downstream'],
    ['u2', 'upstream'],
  ]) {
    await h.toxic('p', { name, stream, type: 'noop' });
  }
  const list = JSON.parse((await h.api('GET', '/proxies/p/toxics')).text) as Array<{ name: string }>;
  assert.deepEqual(
    list.map((x) => x.name),
    ['u1', 'u2', 'd1', 'd2'],
  );
  const proxy = parsed(await h.api('GET', '/proxies/p')) as { toxics: Array<{ name: string }> };
  assert.deepEqual(
    proxy.toxics.map((x) => x.name),
    ['u1', 'u2', 'd1', 'd2'],
  );
  assert.equal((await h.api('GET', '/proxies/p/toxics/nope')).status, 404);
  assertApiError(await h.api('GET', '/proxies/p/toxics/nope'), 404, 'toxic not found');
  assertApiError(await h.api('GET', '/proxies/nope/toxics'), 404, 'proxy not found');
  assert.equal((await h.api('GET', '/proxies/q/toxics')).status, 404);
});

test('toxic update merges attributes, keeps omitted toxicity and ignores name, type and stream', async (t) => {
  const h = await startHarness(t);
  await h.proxy('p', 1);
  await h.toxic('p', {
    name: 'lat',
    type: 'latency',
    toxicity: 0.5,
    attributes: { latency: 100, jitter: 10 },
  });
  const r = await h.api('POST', '/proxies/p/toxics/lat', {
    name: 'other',
    type: 'bandwidth',
    stream: 'upstream',
    attributes: { jitter: 5 },
  });
  assert.equal(r.status, 200);
  assert.deepEqual(parsed(r), {
    attributes: { latency: 100, jitter: 5 },
    name: 'lat',
    type: 'latency',
    stream: 'downstream',
    toxicity: 0.5,
  });
  const patched = parsed(await h.api('PATCH', '/proxies/p/toxics/lat', { toxicity: 0 }));
  assert.equal(patched.toxicity, 0);
  assert.deepEqual(patched.attributes, { latency: 100, jitter: 5 });
  assertApiError(await h.api('PATCH', '/proxies/p/toxics/nope', { toxicity: 1 }), 404, 'toxic not found');
  assertApiError(await h.api('PATCH', '/proxies/nope/toxics/lat', { toxicity: 1 }), 404, 'proxy not found');
  assertApiError(await h.api('POST', '/proxies/p/toxics/lat', ''), 400, 'bad request body: EOF');
});

test('toxic delete answers 204 with no body, then 404', async (t) => {
  const h = await startHarness(t);
  await h.proxy('p', 1);
  await h.toxic('p', { type: 'noop' });
  const r = await h.api('DELETE', '/proxies/p/toxics/noop_downstream');
  assert.equal(r.status, 204);
  assert.equal(r.text, '');
  assertApiError(await h.api('DELETE', '/proxies/p/toxics/noop_downstream'), 404, 'toxic not found');
  assertApiError(await h.api('DELETE', '/proxies/nope/toxics/noop_downstream'), 404, 'proxy not found');
  assert.equal((await h.api('GET', '/proxies/p/toxics')).text, '[]');
});
