// Redis faults between the nodes and Redis (the bus and the rate limiters). Losing Redis costs
// delivery latency, never signals: publishes keep being acknowledged (the store is the truth) and
// subscribers read what the bus missed from the store.
import type { ScenarioDef } from './support/scenario.js';

const both = ['redis-a', 'redis-b'];

export const redisDown: ScenarioDef = {
  name: 'redis-down',
  fault: 'both Redis proxies disabled 6 s',
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
  fault: 'Redis +400 ms each way 6 s',
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
  breakers: [
    { node: 'a', dependency: 'bus', during: 'open' },
    { node: 'b', dependency: 'bus', during: 'closed' },
  ],
  minAckedDuringFault: 10,
  maxPublishMs: 2_000,
  inject: ({ stack }) => stack.setEnabled('redis-a', false),
  heal: ({ stack }) => stack.setEnabled('redis-a', true),
};
