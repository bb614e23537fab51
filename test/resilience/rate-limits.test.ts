import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Redis, type RedisOptions } from 'ioredis';
import { CatalystError } from '../../src/domain/errors.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { Dependency } from '../../src/resilience/dependency.js';
import { policyFor } from '../../src/resilience/policy.js';
import { ConfigError } from '../../src/config/error.js';
import { parseRateLimitEnv } from '../../src/config/rate-limits.js';
import {
  createRateLimits,
  DEFAULT_RATE_LIMITS,
  rateLimitedError,
  type ConsumeResult,
  type RateLimitConfig,
  type RateLimitsOptions,
} from '../../src/resilience/rate-limits.js';
import { captureLogs } from '../support/log-capture.js';
import { metricValue } from '../support/metric-values.js';
import { startPrivateRedis } from '../support/redis-server.js';
import { REDIS_URL, requireBinary, requireRedis } from '../support/servers.js';
import { waitFor, withDeadline } from '../support/wait.js';

const config = (points: number, durationSec = 60): RateLimitConfig => ({
  ...DEFAULT_RATE_LIMITS,
  publishPerToken: { points, durationSec },
});

function setup(opts: Partial<RateLimitsOptions> = {}, limits = config(5)) {
  const metrics = createMetrics({ collectDefault: false });
  const logs = captureLogs();
  const prefix = `test:rl:${randomBytes(6).toString('hex')}:`;
  const rl = createRateLimits(limits, { keyPrefix: prefix, metrics, logger: logs.logger, ...opts });
  return { rl, metrics, logs, prefix };
}

async function consumeMany(n: number, consume: () => Promise<ConsumeResult>, perCallBudgetMs: number) {
  const results: ConsumeResult[] = [];
  for (let i = 0; i < n; i++)
    results.push(await withDeadline(consume(), `consume #${i + 1}`, perCallBudgetMs));
  return {
    allowed: results.filter((r) => r.allowed).length,
    denied: results.filter((r) => !r.allowed) as Array<{ retryAfterMs: number }>,
  };
}

/** The limiter store as main.ts builds it: the client behind the `redis` dependency. */
function limiterStore(t: { after(fn: () => void): void }, redis: Redis, timeoutMs?: number) {
  const policy = policyFor('redis', timeoutMs === undefined ? {} : { redis: { timeoutMs } });
  const deps = { metrics: createMetrics({ collectDefault: false }), logger: captureLogs().logger };
  const dependency = new Dependency('redis', policy, deps);
  t.after(() => dependency.shutdown());
  return { client: redis, dependency };
}

/** A redis client configured as production should: no offline queue, quick fixed reconnects. */
function client(url: string, extra: RedisOptions = {}) {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => 100,
    lazyConnect: true,
    ...extra,
  });
}

describe('rate limits in memory', () => {
  it('allows the configured points per key, then refuses with a retry delay, counted per limiter', async () => {
    const { rl, metrics } = setup();
    const token = () => rl.publishPerToken.consume('token-a');
    const { allowed, denied } = await consumeMany(7, token, 100);
    assert.equal(allowed, 5);
    assert.equal(denied.length, 2);
    assert.ok(
      denied.every((d) => d.retryAfterMs > 0 && d.retryAfterMs <= 60_000),
      'retry within the window',
    );
    assert.deepEqual(
      await rl.publishPerToken.consume('token-b'),
      { allowed: true },
      'other keys have their own budget',
    );
    assert.equal(
      (await rl.publishPerToken.consume('token-c', 6)).allowed,
      false,
      'a batch consumes one point per signal',
    );
    assert.equal(
      await metricValue(metrics.registry, 'catalyst_rate_limited_total', { limiter: 'publish_per_token' }),
      3,
    );
    assert.equal((await rl.restReadsPerToken.consume('token-a')).allowed, true, 'limiters are independent');
  });

  it('maps a refusal to the protocol 429 with Retry-After in whole seconds', () => {
    const err = rateLimitedError({ retryAfterMs: 1_200 });
    assert.ok(err instanceof CatalystError);
    assert.equal(err.status, 429);
    assert.equal(err.retryAfter, 2);
    assert.equal(rateLimitedError({ retryAfterMs: 3 }).retryAfter, 1);
  });

  it('logs a rejection burst sampled: a line when it starts, a summary per interval, a line when it stops', async () => {
    const intervalMs = 200;
    const { rl, logs } = setup({ logIntervalMs: intervalMs }, config(1));
    const limitLines = () => logs.lines().filter((l) => l.limiter === 'publish_per_token');
    await rl.publishPerToken.consume('tok');
    const started = performance.now();
    for (let i = 0; i < 100; i++) await rl.publishPerToken.consume(i % 4 === 0 ? 'other' : 'tok');
    const elapsed = performance.now() - started;

    const stopped = await waitFor(
      () => limitLines().find((l) => l.burst_rejected !== undefined),
      'the end-of-burst line',
      5_000,
    );
    // 99 refusals: 75 for "tok", 24 for "other" (whose first point was allowed).
    assert.equal(stopped.burst_rejected, 99);
    const starts = limitLines().filter((l) => l.key !== undefined);
    const summaries = limitLines().filter((l) => l.rejected !== undefined);
    assert.equal(starts.length, 1, 'one line when the burst starts');
    assert.equal(
      summaries.reduce((n, l) => n + l.rejected, 0),
      98,
      'the summaries account for every refusal after the first',
    );
    assert.ok(summaries.length <= Math.ceil(elapsed / intervalMs) + 1, 'at most one summary per interval');
    assert.equal(summaries[0]!.top_key, 'tok');
    assert.equal(limitLines().length, 2 + summaries.length, 'no line per request');

    // After the quiet interval, the next refusal starts a new burst with its own line.
    await rl.publishPerToken.consume('tok');
    assert.equal(limitLines().filter((l) => l.key !== undefined).length, 2);
  });
});

describe('rate limits with Redis', () => {
  it('share one budget across nodes through Redis', async (t) => {
    if (!(await requireRedis(t))) return;
    const redis = client(REDIS_URL);
    await redis.connect();
    const nodeA = setup({ redis: limiterStore(t, redis) });
    const nodeB = createRateLimits(config(5), {
      keyPrefix: nodeA.prefix,
      redis: limiterStore(t, redis),
      metrics: createMetrics({ collectDefault: false }),
      logger: captureLogs().logger,
    });
    t.after(async () => {
      const keys = await redis.keys(`${nodeA.prefix}*`); // only this test's unique prefix
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    });
    const a = await consumeMany(3, () => nodeA.rl.publishPerToken.consume('tok'), 500);
    const b = await consumeMany(4, () => nodeB.publishPerToken.consume('tok'), 500);
    assert.equal(a.allowed, 3);
    assert.equal(b.allowed, 2, 'node B sees what node A consumed');
    assert.equal(await redis.exists(`${nodeA.prefix}publish_per_token:tok`), 1, 'the count lives in Redis');
  });

  it('keep limiting, without hanging, when Redis is killed mid-test (insurance limiter)', async (t) => {
    if (!(await requireBinary(t, 'redis-server'))) return;
    const server = await startPrivateRedis(t);
    const redis = client(server.url);
    t.after(() => redis.disconnect());
    await redis.connect();
    const { rl, logs, prefix } = setup({ redis: limiterStore(t, redis) });

    const before = await consumeMany(2, () => rl.publishPerToken.consume('tok'), 500);
    assert.equal(before.allowed, 2);
    assert.equal(await redis.get(`${prefix}publish_per_token:tok`), '2', 'counted in Redis while it was up');
    await server.kill();

    // Straight after the crash: every answer comes fast and the limit still holds (5 per window,
    // counted on this node by the insurance limiter).
    const after = await consumeMany(10, () => rl.publishPerToken.consume('tok'), 400);
    assert.equal(after.allowed, 5);
    assert.equal(after.denied.length, 5);
    await waitFor(() => redis.status !== 'ready', 'the client to notice Redis is gone', 5_000);
    const started = performance.now();
    const r = await rl.publishPerToken.consume('tok');
    assert.equal(r.allowed, false);
    assert.ok(
      performance.now() - started < 150,
      'with Redis known down the insurance answers without the 200 ms timeout',
    );
    assert.ok(!logs.lines().some((l) => l.level === 'error'), 'no limiter failure: the insurance answered');
  });

  it('never hang on a wedged Redis (connected, never answers)', async (t) => {
    if (!(await requireBinary(t, 'redis-server'))) return;
    const server = await startPrivateRedis(t);
    const redis = client(server.url);
    t.after(() => redis.disconnect());
    await redis.connect();
    const { rl } = setup({ redis: limiterStore(t, redis, 50) });
    assert.equal((await rl.publishPerToken.consume('tok')).allowed, true);
    // SIGSTOP: the socket stays open and the client still says 'ready', but nothing answers, so
    // only the per-call timeout stands between a request and a hang.
    server.process.kill('SIGSTOP');
    t.after(() => server.process.kill('SIGCONT'));
    assert.equal(redis.status, 'ready');
    const { allowed, denied } = await consumeMany(7, () => rl.publishPerToken.consume('tok'), 300);
    assert.equal(allowed, 5, 'the insurance limiter keeps the limit');
    assert.equal(denied.length, 2);
  });
});

describe('parseRateLimitEnv', () => {
  it('reads points/window per limiter', () => {
    assert.deepEqual(
      parseRateLimitEnv({
        CATALYST_RATE_PUBLISH_PER_TOKEN: '200/1s',
        CATALYST_RATE_WS_CONNECTS_PER_IP: '30/1m',
        CATALYST_RATE_REST_READS_PER_TOKEN: '50/10',
        HOME: '/root',
      }),
      {
        publishPerToken: { points: 200, durationSec: 1 },
        wsConnectsPerIp: { points: 30, durationSec: 60 },
        restReadsPerToken: { points: 50, durationSec: 10 },
      },
    );
  });

  it('names every bad variable and what is wrong', () => {
    assert.throws(
      () =>
        parseRateLimitEnv({
          CATALYST_RATE_PUBLISH_PER_TOKEN: 'lots',
          CATALYST_RATE_WS_MESSAGES: '5/1s',
          CATALYST_RATE_WS_MESSAGES_PER_SESSION: '0/1s',
        }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.problems.length === 3 &&
        /CATALYST_RATE_PUBLISH_PER_TOKEN: expected <points>\/<window>.*got "lots"/.test(err.message) &&
        /CATALYST_RATE_WS_MESSAGES: unknown limiter/.test(err.message) &&
        /CATALYST_RATE_WS_MESSAGES_PER_SESSION: expected/.test(err.message),
    );
  });
});
