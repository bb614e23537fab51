// Redis faults between the nodes and Redis (the bus and the rate limiters). Losing Redis costs
// delivery latency, never signals: publishes keep being acknowledged (the store is the truth) and
// subscribers read what the bus missed from the store.
import { countKeys } from '../../test/cluster/support/cluster.js';
import { type PrivateRedis, startPrivateRedis } from '../../test/support/redis-server.js';
import type { ScenarioDef } from './support/scenario.js';

const both = ['redis-a', 'redis-b'];

export const redisDown: ScenarioDef = {
  name: 'redis-down',
  fault: 'both Redis proxies disabled 6 s',
  alert: { fires: ['CatalystBusDegraded'] },
  breakers: [
    { node: 'a', dependency: 'bus', during: 'open' },
    { node: 'b', dependency: 'bus', during: 'open' },
  ],
  minAckedDuringFault: 10,
  maxPublishMs: 2_000,
  inject: async ({ stack }) => {
    for (const p of both) await stack.setEnabled(p, false);
  },
  heal: async ({ stack }) => {
    for (const p of both) await stack.setEnabled(p, true);
  },
};

export const redisLatency: ScenarioDef = {
  name: 'redis-latency',
  fault: 'Redis +400 ms each way 9 s',
  // The bus is degraded (its reads lag, the limiters' Redis calls time out). Deliveries stay within
  // the latency SLO on a quiet machine (the live feed reads what the bus is late with from the
  // store), so its burn alert may or may not fire: noted when it does, not required.
  alert: { fires: ['CatalystBusDegraded'] },
  holdMs: 9_000,
  minAckedDuringFault: 10,
  maxPublishMs: 3_000,
  inject: async ({ stack }) => {
    for (const stream of ['upstream', 'downstream'] as const)
      await stack.addToxic(both, {
        name: `slow-${stream}`,
        type: 'latency',
        stream,
        attributes: { latency: 400, jitter: 50 },
      });
  },
  heal: ({ stack }) => stack.removeToxics(),
};

export const redisReset: ScenarioDef = {
  name: 'redis-reset',
  fault: 'Redis connections reset (reset_peer) 6 s',
  alert: { fires: ['CatalystBusDegraded'] },
  minAckedDuringFault: 10,
  maxPublishMs: 2_000,
  inject: ({ stack }) =>
    stack.addToxic(both, {
      name: 'reset',
      type: 'reset_peer',
      stream: 'downstream',
      attributes: { timeout: 0 },
    }),
  heal: ({ stack }) => stack.removeToxics(),
};

export const redisPartition: ScenarioDef = {
  name: 'redis-partition',
  fault: 'node A cut from Redis (B keeps it) 6 s',
  alert: { fires: ['CatalystBusDegraded'] },
  breakers: [
    { node: 'a', dependency: 'bus', during: 'open' },
    { node: 'b', dependency: 'bus', during: 'closed' },
  ],
  minAckedDuringFault: 10,
  maxPublishMs: 2_000,
  inject: ({ stack }) => stack.setEnabled('redis-a', false),
  heal: ({ stack }) => stack.setEnabled('redis-a', true),
};

// Redis crashed and came back empty: a private redis-server (the shared one is never flushed) is
// killed, and after the fault a fresh, empty one takes its place behind the same proxy address. The
// bus stream is rebuilt by the nodes' next publishes (its key exists on the new server); subscribers
// read the gap from the store, so nothing is lost.
let redisServers: PrivateRedis[] = [];
let redisEnds: Array<() => Promise<void>> = [];
const startRedis = async () => {
  const r = await startPrivateRedis({ after: (fn) => void redisEnds.push(fn as () => Promise<void>) });
  redisServers.push(r);
  return r;
};

export const redisRestartedEmpty: ScenarioDef = {
  name: 'redis-restarted-empty',
  fault: 'private Redis killed 6 s, then a fresh empty one behind the proxies',
  alert: { fires: ['CatalystBusDegraded'] },
  breakers: [
    { node: 'a', dependency: 'bus', during: 'open' },
    { node: 'b', dependency: 'bus', during: 'open' },
  ],
  minAckedDuringFault: 10,
  maxPublishMs: 2_000,
  stack: async () => {
    redisServers = [];
    redisEnds = [];
    const r = await startRedis();
    return {
      redisUpstream: `127.0.0.1:${r.port}`,
      dispose: async () => {
        for (const end of redisEnds.splice(0)) await end();
      },
    };
  },
  inject: async () => {
    await redisServers[0]?.kill();
  },
  heal: async ({ stack }) => {
    const fresh = await startRedis();
    for (const p of both) await stack.setUpstream(p, `127.0.0.1:${fresh.port}`);
  },
  verify: async (ctx) => {
    const fresh = redisServers[1];
    if (!fresh) return void ctx.failures.push('no fresh Redis was started');
    const keys = await countKeys(fresh.url, ctx.stack.cluster.prefix);
    ctx.notes.push(`keys of the prefix rebuilt on the fresh Redis: ${keys}`);
    if (keys < 1) ctx.failures.push('the bus stream was not rebuilt on the fresh Redis');
  },
};
