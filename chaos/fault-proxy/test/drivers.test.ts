// Real drivers through the proxy against the shared Redis and PostgreSQL: latency, down (disabled proxy)
// and reset faults, each seen the way the driver reports it, and each recovered from.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { POSTGRES_URL, REDIS_URL, requirePostgres, requireRedis } from '../../../test/support/servers.js';
import { waitFor } from '../../../test/support/wait.js';
import { startHarness } from './support/harness.js';

const upstreamOf = (url: string, port: number) => {
  const u = new URL(url);
  return `${u.hostname}:${u.port || port}`;
};

async function proxyTo(t: Parameters<typeof startHarness>[0], upstream: string) {
  const h = await startHarness(t);
  const r = await h.api('POST', '/proxies', { name: 'db', listen: '127.0.0.1:0', upstream });
  const port = Number((JSON.parse(r.text) as { listen: string }).listen.split(':')[1]);
  return { h, port };
}

async function timed<T>(work: () => Promise<T>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

test('ioredis through the proxy: latency, down and reset', { timeout: 20_000 }, async (t) => {
  if (!(await requireRedis(t))) return;
  const { h, port } = await proxyTo(t, upstreamOf(REDIS_URL, 6379));
  const key = `catalyst:fault-proxy-test:${process.pid}:${Date.now()}`;
  const errors: string[] = [];
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => 50,
  });
  redis.on('error', (err: NodeJS.ErrnoException) => errors.push(err.code ?? err.message));
  t.after(async () => {
    redis.disconnect();
    const direct = new Redis(REDIS_URL);
    await direct.del(key);
    await direct.quit();
  });
  await redis.connect();
  // Expires by itself too, so a run killed before its cleanup leaves nothing on the shared Redis.
  await redis.set(key, 'v', 'EX', 300);
  assert.ok((await timed(() => redis.get(key))) < 150);

  await h.toxic('db', { type: 'latency', attributes: { latency: 200 } });
  const slow = await timed(() => redis.get(key));
  assert.ok(slow >= 195 && slow < 700, `GET took ${slow} ms with 200 ms latency`);
  await h.api('DELETE', '/proxies/db/toxics/latency_downstream');

  await h.api('PATCH', '/proxies/db', { enabled: false });
  await waitFor(() => redis.status !== 'ready', 'ioredis to notice the proxy is down');
  await assert.rejects(redis.get(key));
  assert.ok(errors.includes('ECONNREFUSED'), `reconnects are refused while down: ${errors}`);
  await h.api('PATCH', '/proxies/db', { enabled: true });
  await waitFor(() => redis.status === 'ready', 'ioredis to reconnect', 5000);
  assert.equal(await redis.get(key), 'v');

  // Every reply is now answered with a reset: ioredis reconnects and keeps the command pending until
  // a connection holds, so the command succeeds once the fault is lifted.
  await h.toxic('db', { type: 'reset_peer', attributes: { timeout: 0 } });
  const pending = redis.get(key);
  await waitFor(() => errors.includes('ECONNRESET'), 'ioredis to report ECONNRESET');
  await h.api('POST', '/reset');
  assert.equal(await pending, 'v');
  assert.equal(redis.status, 'ready');
});

test('pg through the proxy: latency, down and reset', { timeout: 20_000 }, async (t) => {
  if (!(await requirePostgres(t))) return;
  const { h, port } = await proxyTo(t, upstreamOf(POSTGRES_URL, 5432));
  const url = new URL(POSTGRES_URL);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2, connectionTimeoutMillis: 3000 });
  const poolErrors: string[] = [];
  pool.on('error', (err: NodeJS.ErrnoException) => poolErrors.push(err.code ?? err.message));
  t.after(() => pool.end());
  assert.equal((await pool.query('SELECT 1 AS one')).rows[0].one, 1);

  await h.toxic('db', { type: 'latency', attributes: { latency: 200 } });
  const slow = await timed(() => pool.query('SELECT 1'));
  assert.ok(slow >= 195 && slow < 700, `SELECT 1 took ${slow} ms with 200 ms latency`);
  await h.api('DELETE', '/proxies/db/toxics/latency_downstream');

  const client = await pool.connect();
  const clientErrors: Error[] = [];
  client.on('error', (err) => clientErrors.push(err));
  await h.api('PATCH', '/proxies/db', { enabled: false });
  await assert.rejects(client.query('SELECT 1'), /terminated|closed|not queryable/i);
  client.release(true);
  await assert.rejects(pool.query('SELECT 1'), (err: NodeJS.ErrnoException) => err.code === 'ECONNREFUSED');
  await h.api('PATCH', '/proxies/db', { enabled: true });
  assert.equal((await pool.query('SELECT 2 AS two')).rows[0].two, 2);

  await h.toxic('db', { type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } });
  await assert.rejects(pool.query('SELECT 3'), (err: NodeJS.ErrnoException) => err.code === 'ECONNRESET');
  await h.api('POST', '/reset');
  assert.equal((await pool.query('SELECT 4 AS four')).rows[0].four, 4);
});
