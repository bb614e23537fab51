import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { Bus } from '../../src/bus/bus.js';
import { redisClients } from '../../src/bus/redis/redis-options.js';
import { type BusLogger, RedisStreamsBus } from '../../src/bus/redis/redis-streams-bus.js';
import { storedSignal, type Signal } from '../../src/domain/signal.js';
import { freePort } from '../support/free-port.js';
import { REDIS_URL, requireBinary, requireRedis } from '../support/servers.js';
import { makeSignal } from '../support/signals.js';
import { waitFor } from '../support/wait.js';
import { guardedBus } from '../support/guarded.js';
import { busConformance } from './conformance.js';
import { RedisServer } from './redis-server.js';

/** A key prefix no one else uses, so tests share the Redis on 6379 without touching others' keys. */
const uniquePrefix = () => `catalyst-test-${process.pid}-${randomBytes(4).toString('hex')}`;

/** Buses on one prefix, closed and their stream deleted at the end. */
function deployment(url: string, extra: Partial<ConstructorParameters<typeof RedisStreamsBus>[0]> = {}) {
  const keyPrefix = uniquePrefix();
  const nodes: RedisStreamsBus[] = [];
  return {
    keyPrefix,
    node: async () => {
      const b = new RedisStreamsBus({ client: redisClients(url), keyPrefix, blockMs: 1000, ...extra });
      nodes.push(b);
      return b;
    },
    cleanup: async () => {
      await Promise.all(nodes.map((b) => b.close()));
      const raw = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      raw.on('error', () => undefined);
      try {
        await raw.connect();
        await raw.del(`${keyPrefix}:{signals}:stream`);
      } catch {
        // The private server of an outage test may already be gone with its data.
      } finally {
        raw.disconnect();
      }
    },
  };
}

busConformance('redis', async (t) => {
  if (!(await requireRedis(t))) return undefined;
  return deployment(REDIS_URL);
});

busConformance('redis, guarded as main.ts wraps it', async (t) => {
  if (!(await requireRedis(t))) return undefined;
  const d = deployment(REDIS_URL);
  return { ...d, node: async () => guardedBus(await d.node()) };
});

let seq = 1000;
const signal = (): Signal => storedSignal(makeSignal(), ++seq, new Date().toISOString());

function countingLogger() {
  const counts = { info: 0, warn: 0, error: 0 };
  const logger: BusLogger = {
    info: () => void counts.info++,
    warn: () => void counts.warn++,
    error: () => void counts.error++,
  };
  return { counts, logger };
}

function record(bus: Bus) {
  const got: Signal[] = [];
  bus.subscribe((batch) => got.push(...batch));
  return got;
}

describe('RedisStreamsBus', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(() => Promise.all(cleanups.map((c) => c())));

  it('appends one entry per signal to a hash-tagged stream bounded by MAXLEN', async (t) => {
    if (!(await requireRedis(t))) return;
    const d = deployment(REDIS_URL, { maxLen: 10 });
    cleanups.push(d.cleanup);
    const bus = await d.node();
    const key = `${d.keyPrefix}:{signals}:stream`;
    assert.equal((bus as RedisStreamsBus).streamKey, key);
    const sent = Array.from({ length: 300 }, signal);
    for (let i = 0; i < sent.length; i += 100) await bus.publish(sent.slice(i, i + 100));
    const raw = new Redis(REDIS_URL);
    try {
      const len = await raw.xlen(key);
      assert.ok(len >= 10 && len < 300, `trimmed to about 10 entries, got ${len}`);
      const [[, fields] = ['', []]] = await raw.xrevrange(key, '+', '-', 'COUNT', 1);
      const last = sent.at(-1)!;
      assert.deepEqual(fields, ['seq', String(last.seq), 'signal', JSON.stringify(last)]);
    } finally {
      raw.disconnect();
    }
  });

  it('a listener that throws neither stops the reader nor other listeners', async (t) => {
    if (!(await requireRedis(t))) return;
    const { counts, logger } = countingLogger();
    const d = deployment(REDIS_URL, { logger });
    cleanups.push(d.cleanup);
    const bus = await d.node();
    bus.subscribe(() => {
      throw new Error('listener bug');
    });
    const got = record(bus);
    await waitFor(() => bus.healthy(), 'the bus to listen');
    await bus.publish([signal()]);
    await bus.publish([signal()]);
    await waitFor(() => got.length === 2, 'both signals despite the throwing listener');
    assert.ok(counts.error >= 1, 'the throw was logged');
  });

  it('a dropped reader connection resumes, and a stream rebuilt behind it is read from its start', async (t) => {
    if (!(await requireRedis(t))) return;
    const d = deployment(REDIS_URL);
    cleanups.push(d.cleanup);
    const [publisher, node] = [await d.node(), await d.node()];
    const got = record(node);
    await waitFor(() => publisher.healthy() && node.healthy(), 'both buses ready');
    const first = signal();
    await publisher.publish([first]);
    await waitFor(() => got.length === 1, 'the first signal');
    // Rebuild the stream with ids below the reader's position (as a restore or failover can), then
    // cut the reader's connection: on reconnect it must notice and read the new stream whole.
    const raw = new Redis(REDIS_URL);
    try {
      const key = `${d.keyPrefix}:{signals}:stream`;
      const rebuilt = signal();
      await raw.del(key);
      await raw.xadd(key, '1-1', 'seq', String(rebuilt.seq), 'signal', JSON.stringify(rebuilt));
      const list = await raw.client('LIST');
      const id = /id=(\d+) .*name=(\S+)/g;
      const readers = [...String(list).matchAll(id)].filter(
        (m) => m[2] === `${d.keyPrefix}:bus:read:${process.pid}`,
      );
      assert.equal(readers.length, 1, 'one reader connection, named after the prefix');
      await raw.client('KILL', 'ID', readers[0]![1]!);
      await waitFor(() => got.length === 2, 'the rebuilt stream entry');
      assert.deepEqual(
        got.map((s) => s.id),
        [first.id, rebuilt.id],
      );
      await waitFor(() => node.healthy(), 'the reader healthy again');
    } finally {
      raw.disconnect();
    }
  });

  it('with Redis unreachable from the start, publish fails fast and healthy() is false', async () => {
    const bus = new RedisStreamsBus({ client: redisClients(`redis://127.0.0.1:${await freePort()}`) });
    try {
      let started = Date.now();
      await assert.rejects(bus.publish([signal()]), /redis unavailable|ECONNREFUSED/);
      assert.ok(Date.now() - started < 2500, 'bounded by the first connection attempt');
      started = Date.now();
      await assert.rejects(bus.publish([signal()]), /redis unavailable/);
      assert.ok(Date.now() - started < 100, 'later attempts fail at once');
      await assert.rejects(bus.publish([signal()], AbortSignal.abort()), { name: 'AbortError' });
      assert.equal(bus.healthy(), false);
    } finally {
      await bus.close();
    }
  });

  it('survives its Redis being killed and restarted: fails fast while down, resumes after', async (t) => {
    const binary = await requireBinary(t, 'redis-server');
    if (!binary) return;
    const server = await RedisServer.start(binary);
    cleanups.push(() => server.kill());
    const { counts, logger } = countingLogger();
    const d = deployment(server.url, { logger });
    cleanups.push(d.cleanup);
    const [publisher, node] = [await d.node(), await d.node()];
    const got = record(node);
    await waitFor(() => publisher.healthy() && node.healthy(), 'both buses ready');
    await publisher.publish([signal()]);
    await waitFor(() => got.length === 1, 'a signal before the outage');

    await server.kill();
    await waitFor(() => !publisher.healthy() && !node.healthy(), 'both buses to see the outage');
    const warnsAtOutage = counts.warn;
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      await assert.rejects(publisher.publish([signal()]), /redis unavailable/);
      assert.ok(Date.now() - started < 100, 'publish fails fast while Redis is down');
    }

    await server.restart();
    await waitFor(() => publisher.healthy() && node.healthy(), 'both buses to reconnect', 10_000);
    assert.ok(
      counts.warn - warnsAtOutage < 10,
      `the reader waited for Redis instead of spinning (${counts.warn} warnings)`,
    );
    const after = signal();
    await publisher.publish([after]);
    await waitFor(() => got.some((s) => s.id === after.id), 'a signal after the restart');
    assert.equal(got.length, 2, 'nothing lost after the restart, nothing repeated');
  });
  it('a frozen Redis makes publish time out and the reader reconnect, not hang', async (t) => {
    const binary = await requireBinary(t, 'redis-server');
    if (!binary) return;
    const server = await RedisServer.start(binary);
    cleanups.push(() => server.kill());
    const d = deployment(server.url);
    cleanups.push(d.cleanup);
    const [publisher, node] = [await d.node(), await d.node()];
    const got = record(node);
    await waitFor(() => publisher.healthy() && node.healthy(), 'both buses ready');
    server.freeze();
    try {
      const started = Date.now();
      await assert.rejects(publisher.publish([signal()]), /timed out/);
      assert.ok(Date.now() - started < 3000, 'bounded by the command timeout');
      // blockMs 1000 + 3000 of silence: the reader gives the socket up.
      await waitFor(() => !node.healthy(), 'the reader to notice the silent server', 8000);
    } finally {
      server.thaw();
    }
    await waitFor(() => publisher.healthy() && node.healthy(), 'both buses healthy after the thaw', 10_000);
    const after = signal();
    await publisher.publish([after]);
    await waitFor(() => got.some((s) => s.id === after.id), 'a signal after the thaw');
  });
  it("a publish's command deadline is the one it is given (main.ts gives the bus dependency's)", async (t) => {
    const binary = await requireBinary(t, 'redis-server');
    if (!binary) return;
    const server = await RedisServer.start(binary);
    cleanups.push(() => server.kill());
    const d = deployment(server.url, { commandTimeoutMs: 300 });
    cleanups.push(d.cleanup);
    const publisher = await d.node();
    await waitFor(() => publisher.healthy(), 'the bus ready');
    server.freeze();
    try {
      const started = performance.now();
      await assert.rejects(publisher.publish([signal()]), /timed out/);
      const ms = performance.now() - started;
      // Far from the 2 s default: a timed-out publish does not linger in ioredis past its deadline.
      assert.ok(ms >= 290 && ms < 1500, `timed out after ${Math.round(ms)} ms`);
    } finally {
      server.thaw();
    }
  });
});
