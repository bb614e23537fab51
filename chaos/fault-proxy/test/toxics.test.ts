// Each toxic measured with real sockets through the proxy. Tolerances allow for a shared, noisy machine:
// lower bounds are tight (a toxic must not be early), upper bounds generous.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect, peer, proxied, readExactly, record, roundTrip } from './support/harness.js';

const SLACK = 250;

test('latency delays each round trip by its value and jitter spreads it within ±jitter', async (t) => {
  const { h, port } = await proxied(t, { seed: 42 });
  await h.toxic('p', { type: 'latency', attributes: { latency: 100 } });
  const s = await connect(t, port);
  const plain = await roundTrip(s);
  assert.ok(plain >= 98 && plain < 100 + SLACK, `round trip ${plain} ms`);

  await h.api('POST', '/proxies/p/toxics/latency_downstream', { attributes: { latency: 100, jitter: 60 } });
  const times: number[] = [];
  for (let i = 0; i < 12; i++) times.push(await roundTrip(s));
  t.diagnostic(
    `latency 100: ${plain.toFixed(1)} ms; 100±60: ${times.map((ms) => ms.toFixed(0)).join(' ')} ms`,
  );
  for (const ms of times) assert.ok(ms >= 39 && ms < 160 + SLACK, `round trip ${ms} ms outside 100±60`);
  assert.ok(Math.max(...times) - Math.min(...times) > 30, `jitter spread ${times.map(Math.round).join(',')}`);
  assert.ok(
    times.some((ms) => ms < 100),
    `some draws are below the latency: ${times.map(Math.round).join(',')}`,
  );
});

test('latency does not build up over a stream of chunks, and chained latencies add up', async (t) => {
  const { h, port } = await proxied(t);
  await h.toxic('p', { name: 'down', type: 'latency', attributes: { latency: 200 } });
  const s = await connect(t, port);
  const r = record(s);
  const started = performance.now();
  for (let i = 0; i < 5; i++) {
    s.write('x'.repeat(100));
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  await r.bytes(500);
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 320 && elapsed < 320 + SLACK, `5 chunks 30 ms apart arrived after ${elapsed} ms`);
  s.removeAllListeners('data');

  await h.toxic('p', { name: 'up', type: 'latency', stream: 'upstream', attributes: { latency: 100 } });
  const both = await roundTrip(s);
  assert.ok(both >= 297 && both < 300 + SLACK, `up 100 + down 200 gave ${both} ms`);
});

test('bandwidth holds the rate, and slices large chunks into rate×100 bytes every 100 ms', async (t) => {
  const sink = await peer(t);
  const { h, port } = await proxied(t, {}, sink);
  await h.toxic('p', { type: 'bandwidth', stream: 'upstream', attributes: { rate: 10 } });
  const s = await connect(t, port);
  const server = record(await sink.nextSocket());
  const started = performance.now();
  s.write(Buffer.alloc(5000, 1));
  const got = await server.bytes(5000);
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 495 && elapsed < 500 + SLACK, `5000 bytes at 10 KB/s took ${elapsed} ms`);
  assert.ok(got.reads.length >= 5, `arrived in ${got.reads.length} reads`);
  assert.ok(
    got.reads.every((r) => r.bytes <= 1000 || r.bytes % 1000 === 0),
    `pieces ${got.reads.map((r) => r.bytes)}`,
  );

  await h.api('POST', '/proxies/p/toxics/bandwidth_upstream', { attributes: { rate: 200 } });
  const more = performance.now();
  const total = 200_000;
  for (let i = 0; i < total / 10_000; i++) s.write(Buffer.alloc(10_000, 2));
  await server.bytes(5000 + total, 5000);
  const rate = total / (performance.now() - more);
  t.diagnostic(
    `bandwidth 10 KB/s: 5000 bytes in ${elapsed.toFixed(0)} ms; 200 KB/s measured ${rate.toFixed(1)} KB/s`,
  );
  assert.ok(rate <= 210 && rate > 150, `measured ${rate.toFixed(1)} KB/s at a 200 KB/s limit`);
});

test('slow_close holds the FIN back for its delay while data passes at once', async (t) => {
  const server = await peer(t);
  const { h, port } = await proxied(t, {}, server);
  await h.toxic('p', { type: 'slow_close', attributes: { delay: 400 } });
  const s = await connect(t, port);
  const client = record(s);
  const upstream = await server.nextSocket();
  const sentAt = performance.now();
  upstream.end('bye');
  const got = await client.until('data then FIN', (r) => r.ended, 5000);
  assert.ok((got.reads[0]?.at ?? Infinity) - sentAt < 150, 'data is not held back');
  const finAfter = (got.endedAt ?? 0) - sentAt;
  assert.ok(finAfter >= 395 && finAfter < 400 + SLACK, `FIN after ${finAfter} ms`);
});

test('timeout drops data and closes after its idle time; a chatty peer keeps it open', async (t) => {
  const server = await peer(t);
  const { h, port } = await proxied(t, {}, server);
  await h.toxic('p', { type: 'timeout', stream: 'upstream', attributes: { timeout: 300 } });
  const s = await connect(t, port);
  const client = record(s);
  const upstream = record(await server.nextSocket());
  // Six writes 100 ms apart: the stimulus, paced by a timer; each restarts the 300 ms idle clock.
  let lastWrite = performance.now();
  await new Promise<void>((resolve) => {
    let ticks = 0;
    const chatter = setInterval(() => {
      s.write('tick');
      lastWrite = performance.now();
      if (++ticks === 6) resolve(clearInterval(chatter));
    }, 100);
  });
  assert.equal(client.got.ended || s.destroyed, false, 'writes every 100 ms keep a 300 ms timeout open');
  await client.closed(3000);
  const closedAfter = performance.now() - lastWrite;
  assert.ok(closedAfter >= 290 && closedAfter < 300 + SLACK, `closed ${closedAfter} ms after the last write`);
  assert.equal(upstream.got.data.length, 0, 'no byte crossed the timeout toxic');
});

test('timeout 0 holds the connection open; removing the toxic closes it', async (t) => {
  const { h, port } = await proxied(t);
  await h.toxic('p', { type: 'timeout', attributes: { timeout: 0 } });
  const s = await connect(t, port);
  const client = record(s);
  s.write('lost');
  await assert.rejects(client.until('anything', (r) => r.data.length > 0 || r.ended, 400));
  await h.api('DELETE', '/proxies/p/toxics/timeout_downstream');
  await client.closed(2000);
  assert.equal(client.got.data.length, 0);
});

test('reset_peer drops the first chunk and resets both sides with a real RST', async (t) => {
  const up = await peer(t, (sock) => sock.pipe(sock));
  const { h, port } = await proxied(t, {}, up);
  await h.toxic('p', { type: 'reset_peer', attributes: { timeout: 200 } });
  const s = await connect(t, port);
  const client = record(s);
  const started = performance.now();
  s.write('hello');
  const got = await client.until('an error', (r) => r.error !== undefined, 3000);
  assert.equal(got.error?.code, 'ECONNRESET');
  assert.equal(got.data.length, 0);
  const after = performance.now() - started;
  assert.ok(after >= 195 && after < 200 + SLACK, `reset after ${after} ms`);
  const server = record(up.sockets[0] as import('node:net').Socket);
  await server.until(
    'the upstream side to be reset',
    (r) => r.error?.code === 'ECONNRESET' || (up.sockets[0]?.destroyed ?? false),
  );
});

test('reset_peer added to an open connection, upstream, still resets (Toxiproxy sends FIN there)', async (t) => {
  const { h, port } = await proxied(t);
  const s = await connect(t, port);
  await roundTrip(s);
  await h.toxic('p', { type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } });
  const client = record(s);
  s.write('x');
  const got = await client.until('an error', (r) => r.error !== undefined, 3000);
  assert.equal(got.error?.code, 'ECONNRESET');
});

test('slicer splits a chunk into pieces of at most average_size + size_variation, delay apart', async (t) => {
  const server = await peer(t);
  const { h, port } = await proxied(t, { seed: 7 }, server);
  await h.toxic('p', { type: 'slicer', attributes: { average_size: 10, size_variation: 0, delay: 20_000 } });
  const s = await connect(t, port);
  const client = record(s);
  const upstream = await server.nextSocket();
  const started = performance.now();
  upstream.write(Buffer.alloc(100, 7));
  const got = await client.bytes(100);
  const elapsed = performance.now() - started;
  const sizes = got.reads.map((r) => r.bytes);
  // 100 bytes halve to 16 pieces of 6-7 bytes; a busy event loop may merge a few reads on arrival.
  assert.ok(sizes.length >= 12, `pieces ${sizes}`);
  assert.ok(sizes.filter((n) => n <= 10).length >= 10, `pieces ${sizes}`);
  assert.ok(elapsed >= 15 * 20 - 5, `16 pieces 20 ms apart arrived in ${elapsed} ms`);
  assert.deepEqual(got.data, Buffer.alloc(100, 7));
});

test('limit_data cuts each direction at its exact byte count, then closes the connection', async (t) => {
  const server = await peer(t);
  const { h, port } = await proxied(t, {}, server);
  await h.toxic('p', { type: 'limit_data', attributes: { bytes: 10 } });
  await h.toxic('p', { type: 'limit_data', stream: 'upstream', attributes: { bytes: 7 } });
  const s = await connect(t, port);
  const client = record(s);
  const upstream = record(await server.nextSocket());
  s.write('0123456789abcdefghijklmno');
  const atServer = await upstream.until('FIN upstream', (r) => r.ended);
  assert.equal(atServer.data.toString(), '0123456');
  const atClient = await client.until('FIN downstream', (r) => r.ended);
  assert.equal(atClient.data.length, 0, 'the upstream limit closed the whole connection');

  const s2 = await connect(t, port);
  const client2 = record(s2);
  const upstream2 = await server.nextSocket();
  upstream2.write('0123456789abcdefghijklmno');
  const got = await client2.until('FIN', (r) => r.ended);
  assert.equal(got.data.toString(), '0123456789');
});

test('limit_data keeps its count across updates of the toxic', async (t) => {
  const { h, port } = await proxied(t);
  await h.toxic('p', { type: 'limit_data', attributes: { bytes: 10 } });
  const s = await connect(t, port);
  assert.equal((await readExactly((s.write('123456'), s), 6)).toString(), '123456');
  await h.api('POST', '/proxies/p/toxics/limit_data_downstream', { attributes: { bytes: 8 } });
  const client = record(s);
  s.write('abcdef');
  const got = await client.until('FIN', (r) => r.ended);
  assert.equal(got.data.toString(), 'ab');
});

test('noop passes data; toxicity 0 never applies', async (t) => {
  const { h, port } = await proxied(t);
  await h.toxic('p', { type: 'noop' });
  await h.toxic('p', { type: 'latency', toxicity: 0, attributes: { latency: 1000 } });
  const s = await connect(t, port);
  const payload = Buffer.alloc(300_000, 9);
  s.write(payload);
  const back = await readExactly(s, payload.length);
  assert.deepEqual(back, payload);
  assert.ok((await roundTrip(s)) < 500);
});
