// The unmodified toxiproxy-node-client against the fault proxy: every call it makes, including the
// populate([]) that crashes it against Toxiproxy 2.12.0.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ICreateToxicBody, type Latency, Toxiproxy, ToxiproxyError } from 'toxiproxy-node-client';
import { connect, echo, roundTrip, startHarness } from './support/harness.js';

test('the node client drives proxies through their whole life', async (t) => {
  const h = await startHarness(t);
  const up = await echo(t);
  const client = new Toxiproxy(h.fp.url);
  assert.equal(await client.getVersion(), '{"version": "2.12.0"}\n');

  const proxy = await client.createProxy({
    name: 'redis',
    listen: 'localhost:0',
    upstream: `localhost:${up.port}`,
  });
  assert.equal(proxy.name, 'redis');
  assert.equal(proxy.enabled, true);
  assert.match(proxy.listen, /^127\.0\.0\.1:\d+$/);
  await assert.rejects(
    client.createProxy({ name: 'redis', listen: 'localhost:0', upstream: 'x:1' }),
    (err: Error) => err instanceof ToxiproxyError && /409/.test(err.message),
  );

  const all = await client.getAll();
  assert.deepEqual(Object.keys(all), ['redis']);
  assert.equal((await client.get('redis')).listen, proxy.listen);

  const down = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
  assert.equal(down.enabled, false);
  const upAgain = await down.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
  assert.equal(upAgain.enabled, true);
  assert.equal(upAgain.listen, proxy.listen);

  const body: ICreateToxicBody<Latency> = {
    name: 'slow',
    type: 'latency',
    stream: 'downstream',
    toxicity: 1,
    attributes: { latency: 250, jitter: 0 },
  };
  const toxic = await upAgain.addToxic(body);
  assert.deepEqual(toxic.toJson(), body);
  const port = Number(proxy.listen.split(':')[1]);
  const s = await connect(t, port);
  assert.ok((await roundTrip(s)) >= 240);

  const fetched = await upAgain.getToxic<Latency>('slow');
  assert.equal(fetched.attributes.latency, 250);
  const updated = await fetched.update({ ...body, attributes: { latency: 0, jitter: 0 } });
  assert.equal(updated.attributes.latency, 0);
  assert.ok((await roundTrip(s)) < 200, 'the update reached the open connection');
  await updated.remove();
  await assert.rejects(upAgain.getToxic('slow'), ToxiproxyError);

  await client.reset();
  await proxy.remove();
  await assert.rejects(client.get('redis'), (err: Error) => /404/.test(err.message));
});

test('the node client populates, including with an empty list', async (t) => {
  const h = await startHarness(t);
  const client = new Toxiproxy(h.fp.url);
  assert.deepEqual(await client.populate([]), {});
  const made = await client.populate([
    { name: 'a', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' },
    { name: 'b', listen: '127.0.0.1:0', upstream: '127.0.0.1:2', enabled: false },
  ]);
  assert.deepEqual(Object.keys(made).sort(), ['a', 'b']);
  assert.equal(made.b?.enabled, false);
});
