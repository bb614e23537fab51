// Proxies and connections over time: enable/disable, live toxic changes, half-close, unreachable upstreams
// and the live connection view.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor, withDeadline } from '../../../test/support/wait.js';
import {
  connect,
  echo,
  peer,
  proxied,
  readExactly,
  record,
  roundTrip,
  startHarness,
  tryConnect,
} from './support/harness.js';

test('disable and delete close open connections and refuse new ones; enable reuses the port', async (t) => {
  const { h, port } = await proxied(t);
  const s = await connect(t, port);
  await roundTrip(s);
  const client = record(s);
  await h.api('POST', '/proxies/p', { enabled: false });
  await client.closed(2000);
  assert.equal(await tryConnect(port), 'ECONNREFUSED');
  const again = JSON.parse((await h.api('POST', '/proxies/p', { enabled: true })).text) as { listen: string };
  assert.equal(again.listen, `127.0.0.1:${port}`);
  const s2 = await connect(t, port);
  assert.ok((await roundTrip(s2)) < 500);
  const client2 = record(s2);
  await h.api('DELETE', '/proxies/p');
  await client2.closed(2000);
  assert.equal(await tryConnect(port), 'ECONNREFUSED');
});

test('changing the upstream restarts the proxy and drops its connections', async (t) => {
  const h = await startHarness(t);
  const a = await echo(t);
  const b = await echo(t);
  const port = await h.proxy('p', a.port);
  const s = await connect(t, port);
  await roundTrip(s);
  const client = record(s);
  await h.api('PATCH', '/proxies/p', { upstream: `127.0.0.1:${b.port}` });
  await client.closed(2000);
  const s2 = await connect(t, port);
  await roundTrip(s2);
  assert.equal(b.sockets.length, 1);
});

test('toxics added, updated and removed reach connections that are already open', async (t) => {
  const { h, port } = await proxied(t);
  const s = await connect(t, port);
  assert.ok((await roundTrip(s)) < 150);
  await h.toxic('p', { name: 'slow', type: 'latency', attributes: { latency: 300 } });
  const slow = await roundTrip(s);
  assert.ok(slow >= 295, `after adding: ${slow} ms`);
  await h.api('PATCH', '/proxies/p/toxics/slow', { attributes: { latency: 150 } });
  const less = await roundTrip(s);
  assert.ok(less >= 145 && less < 295, `after updating: ${less} ms`);
  await h.api('DELETE', '/proxies/p/toxics/slow');
  assert.ok((await roundTrip(s)) < 150, 'after removing');
  await h.toxic('p', { name: 'again', type: 'latency', stream: 'upstream', attributes: { latency: 300 } });
  assert.ok((await roundTrip(s)) >= 295);
  await h.api('POST', '/reset');
  assert.ok((await roundTrip(s)) < 150, 'after reset');
});

test('deleting toxics under heavy traffic answers at once and loses no byte', async (t) => {
  const { h, port } = await proxied(t);
  await h.toxic('p', { name: 'lat', type: 'latency', attributes: { latency: 200, jitter: 100 } });
  await h.toxic('p', { name: 'bw', type: 'bandwidth', stream: 'upstream', attributes: { rate: 500 } });
  await h.toxic('p', {
    name: 'sl',
    type: 'slicer',
    attributes: { average_size: 100, size_variation: 20, delay: 100 },
  });
  const s = await connect(t, port);
  const total = 2_000_000;
  const payload = Buffer.alloc(total);
  for (let i = 0; i < total; i++) payload[i] = i % 251;
  const back = readExactly(s, total, 20_000);
  for (let i = 0; i < total; i += 16_384) s.write(payload.subarray(i, i + 16_384));
  const client = record(s);
  await client.until('data to flow', (r) => r.data.length > 50_000, 10_000);
  for (const name of ['lat', 'bw', 'sl']) {
    const started = performance.now();
    const r = await h.api('DELETE', `/proxies/p/toxics/${name}`);
    assert.equal(r.status, 204);
    assert.ok(performance.now() - started < 1000, `DELETE ${name} took ${performance.now() - started} ms`);
  }
  assert.ok(
    (await withDeadline(back, 'all bytes back', 20_000)).equals(payload),
    'bytes arrive complete and in order',
  );
});

test('a half-close crosses the proxy: the reply to write()+end() still arrives', async (t) => {
  const h = await startHarness(t);
  const server = await peer(t, (sock) => {
    const chunks: Buffer[] = [];
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('end', () => sock.end(Buffer.concat([Buffer.from('got: '), ...chunks])));
  });
  const port = await h.proxy('p', server.port);
  await h.toxic('p', { type: 'latency', attributes: { latency: 50 } });
  const s = await connect(t, port);
  const client = record(s);
  s.end('question');
  const got = await client.until('the reply and FIN', (r) => r.ended);
  assert.equal(got.data.toString(), 'got: question');
});

test('a client of an unreachable upstream is accepted, then closed without data', async (t) => {
  const h = await startHarness(t);
  const port = await h.proxy('p', 1);
  const s = await connect(t, port);
  const client = record(s);
  await client.closed(3000);
  assert.equal(client.got.data.length, 0);
});

test('the live connection view shows each connection, its bytes and the toxics drawn for it', async (t) => {
  const { h, port } = await proxied(t);
  await h.toxic('p', { name: 'never', type: 'latency', toxicity: 0 });
  await h.toxic('p', { name: 'always', type: 'noop', stream: 'upstream' });
  const s = await connect(t, port);
  await roundTrip(s, 'x'.repeat(100));
  const view = JSON.parse((await h.api('GET', '/proxies/p/connections')).text) as Array<
    Record<string, unknown>
  >;
  assert.equal(view.length, 1);
  const c = view[0] as Record<string, unknown>;
  assert.deepEqual(c.upstream_bytes, { received: 100, sent: 100 });
  assert.deepEqual(c.downstream_bytes, { received: 100, sent: 100 });
  assert.deepEqual(c.toxics, { upstream: ['always'], downstream: [] });
  assert.equal(c.client, `${s.localAddress}:${s.localPort}`);
  s.destroy();
  await waitFor(
    async () => (JSON.parse((await h.api('GET', '/proxies/p/connections')).text) as unknown[]).length === 0,
    'the closed connection to leave the view',
  );
});

test('toxicity is drawn per connection and a seed makes the draws repeatable', async (t) => {
  const draws = async (seed: number) => {
    const h = await startHarness(t, { seed });
    const up = await echo(t);
    const port = await h.proxy('p', up.port);
    await h.toxic('p', { name: 'half', type: 'noop', toxicity: 0.5 });
    const pattern: boolean[] = [];
    for (let i = 0; i < 24; i++) {
      const s = await connect(t, port);
      await roundTrip(s);
      const [view] = JSON.parse((await h.api('GET', '/proxies/p/connections')).text) as Array<{
        toxics: { downstream: string[] };
      }>;
      pattern.push(view?.toxics.downstream.includes('half') ?? false);
      s.destroy();
      await h.api('PATCH', '/proxies/p', { enabled: false });
      await h.api('PATCH', '/proxies/p', { enabled: true });
    }
    return pattern;
  };
  const a = await draws(1234);
  assert.ok(a.some(Boolean) && !a.every(Boolean), `some connections get the toxic, some not: ${a}`);
  assert.deepEqual(await draws(1234), a);
});
