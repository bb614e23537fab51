// Issue 3 on a real node: rate limits on REST (429 + Retry-After + error shape) and WebSocket
// (close 4429; connects per IP: HTTP 429 before the upgrade), in memory, then shared through Redis, then with that Redis killed mid-test
// (the in-memory insurance keeps limiting, and nothing waits on the dead Redis).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe } from 'node:test';
import { Redis } from 'ioredis';
import { createToken, e2e, request, startNode } from '../support/node.js';
import { startPrivateRedis } from '../support/redis-server.js';
import { requireBinary } from '../support/servers.js';
import { makeSignal } from '../support/signals.js';
import { WsClient } from '../support/ws-client.js';
import { errorShape, metricsText, round, sample, timed } from './support.js';

const LIMITS = {
  CATALYST_RATE_PUBLISH_PER_TOKEN: '3/60s',
  CATALYST_RATE_REST_READS_PER_TOKEN: '3/60s',
  CATALYST_RATE_WS_MESSAGES_PER_SESSION: '5/60s',
  CATALYST_RATE_WS_CONNECTS_PER_IP: '3/60s',
};

/** Publishes until the first 429 (at most `max` tries); returns the statuses and the slowest answer. */
async function publishUntilLimited(url: string, token: string, max = 10) {
  const statuses: number[] = [];
  let slowest = 0;
  for (let i = 0; i < max; i++) {
    const r = await timed(() => request(url, 'POST', '/signals', { token, body: makeSignal() }));
    slowest = Math.max(slowest, r.ms);
    statuses.push(r.value.status);
    if (r.value.status === 429) {
      assert.equal(errorShape(r.value, 429, 'rate_limited'), undefined);
      const retryAfter = Number(r.value.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      break;
    }
  }
  return { statuses, slowest: round(slowest) };
}

/** Sends pings until the server closes; returns the close code and how many pongs came first. */
async function pingUntilClosed(ws: WsClient, max = 20): Promise<{ code: number; pongs: number }> {
  for (let i = 0; i < max && !ws.closedWith; i++) ws.send({ type: 'ping', ts: i });
  const { code } = await ws.waitClosed(5000);
  return { code, pongs: ws.messages.filter((m) => m.type === 'pong').length };
}

describe('ops: rate limits through the real server', () => {
  e2e(
    'in memory: publishes and reads per token 429; messages per session close 4429, connects per IP 429 before the upgrade',
    async (t) => {
      const node = await startNode(t, { env: LIMITS });
      const a = await createToken(node, ['publish', 'subscribe']);
      const b = await createToken(node, ['publish', 'subscribe']);

      assert.deepEqual((await publishUntilLimited(node.url, a.token)).statuses, [201, 201, 201, 429]);
      assert.equal(
        (await request(node.url, 'POST', '/signals', { token: b.token, body: makeSignal() })).status,
        201,
        'per token',
      );

      const reads: number[] = [];
      for (let i = 0; i < 4; i++)
        reads.push((await request(node.url, 'GET', '/signals', { token: a.token })).status);
      assert.deepEqual(reads, [200, 200, 200, 429]);
      const limitedRead = await request(node.url, 'GET', '/signals/1', { token: a.token });
      assert.equal(errorShape(limitedRead, 429, 'rate_limited'), undefined);
      assert.equal((await request(node.url, 'GET', '/signals', { token: b.token })).status, 200, 'per token');

      // Connect 1 of 3 from this IP: its messages are limited (auth counts as one of the 5).
      const chatty = await WsClient.authed(node.wsUrl, a.token);
      const closed = await pingUntilClosed(chatty);
      assert.equal(closed.code, 4429);
      assert.ok(closed.pongs <= 4, `${closed.pongs} pongs before the close`);
      // Connects 2 and 3 are welcome; the 4th from the same IP is refused before the upgrade (429),
      // so it never costs a token lookup.
      const ok = [await WsClient.authed(node.wsUrl, a.token), await WsClient.authed(node.wsUrl, b.token)];
      t.after(() => ok.forEach((c) => c.close()));
      await assert.rejects(WsClient.open(node.wsUrl), /upgrade refused: HTTP 429/);

      const text = await metricsText(node.url);
      for (const limiter of [
        'publish_per_token',
        'rest_reads_per_token',
        'ws_messages_per_session',
        'ws_connects_per_ip',
      ])
        assert.ok(
          (sample(text, 'catalyst_rate_limited_total', { limiter }) ?? 0) >= 1,
          `catalyst_rate_limited_total{limiter="${limiter}"}`,
        );
    },
  );

  e2e(
    'with Redis: the limit lives in Redis; Redis killed mid-test: answers stay fast and the limit holds',
    async (t) => {
      if (!(await requireBinary(t, 'redis-server'))) return;
      const redis = await startPrivateRedis(t);
      const prefix = `ops-rl-${process.pid}-${randomBytes(3).toString('hex')}`;
      const node = await startNode(t, {
        // A Redis call past its deadline is answered by the per-node insurance limiter (that is the
        // design); on a loaded machine the default 200 ms can pass while Redis is up, and the count
        // then splits. A longer deadline keeps "the limit lives in Redis" about Redis.
        env: {
          ...LIMITS,
          REDIS_URL: redis.url,
          CATALYST_REDIS_PREFIX: prefix,
          CATALYST_DEP_REDIS_TIMEOUT_MS: '1000',
        },
      });
      const a = await createToken(node, ['publish', 'subscribe']);
      const b = await createToken(node, ['publish', 'subscribe']);

      const up = await publishUntilLimited(node.url, a.token);
      assert.deepEqual(up.statuses, [201, 201, 201, 429]);
      const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
      await client.connect();
      const key = `${prefix}:rl:publish_per_token:${a.name}`;
      const used = Number(await client.get(key));
      client.disconnect();
      assert.ok(used >= 4, `Redis key ${key} holds the count (${used})`);

      await redis.kill();
      // Token a's Redis count is gone with Redis; the node's insurance limiter counts on its own.
      const down = await publishUntilLimited(node.url, a.token);
      assert.deepEqual(down.statuses, [201, 201, 201, 429], 'the limit holds with Redis dead');
      const downB = await publishUntilLimited(node.url, b.token);
      assert.deepEqual(downB.statuses, [201, 201, 201, 429]);
      const reads: number[] = [];
      const readTimes: number[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await timed(() => request(node.url, 'GET', '/signals', { token: b.token }));
        reads.push(r.value.status);
        readTimes.push(r.ms);
      }
      assert.deepEqual(reads, [200, 200, 200, 429]);
      const slowest = Math.max(down.slowest, downB.slowest, ...readTimes);
      assert.ok(slowest < 250, `slowest answer with Redis dead: ${round(slowest)} ms`);
      const ws = await timed(() => WsClient.authed(node.wsUrl, b.token));
      const closed = await pingUntilClosed(ws.value);
      assert.equal(closed.code, 4429, 'WebSocket message limit holds with Redis dead');
      t.diagnostic(
        `Redis up: slowest ${up.slowest} ms; Redis dead: slowest REST answer ${round(slowest)} ms, ws auth+welcome ${round(ws.ms)} ms`,
      );
    },
  );
});
