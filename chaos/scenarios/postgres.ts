// PostgreSQL faults between the nodes and the store. The store is the truth: without it a publish
// answers 503 fast (never acknowledged, so never owed), subscribers stay connected, and once it is
// back every signal acknowledged before, during and after reaches every subscriber once, in order.
import type { ScenarioDef } from './support/scenario.js';

const storeBreakers = [
  { node: 'a' as const, dependency: 'store', during: 'open' as const },
  { node: 'b' as const, dependency: 'store', during: 'open' as const },
];

export const postgresDown: ScenarioDef = {
  name: 'postgres-down',
  fault: 'PostgreSQL proxy disabled 6 s',
  breakers: storeBreakers,
  maxPublishMs: 6_000,
  inject: ({ stack }) => stack.setEnabled('pg', false),
  heal: ({ stack }) => stack.setEnabled('pg', true),
};

export const postgresSlow: ScenarioDef = {
  name: 'postgres-slow',
  fault: 'PostgreSQL +50 ms each way 6 s',
  minAckedDuringFault: 10,
  maxPublishMs: 6_000,
  inject: async ({ stack }) => {
    for (const stream of ['upstream', 'downstream'] as const)
      await stack.addToxic(['pg'], {
        name: `slow-${stream}`,
        type: 'latency',
        stream,
        attributes: { latency: 50, jitter: 10 },
      });
  },
  heal: ({ stack }) => stack.removeToxics(),
};

export const postgresReset: ScenarioDef = {
  name: 'postgres-reset',
  fault: 'PostgreSQL connections reset (reset_peer) 6 s',
  breakers: storeBreakers,
  maxPublishMs: 6_000,
  inject: ({ stack }) =>
    stack.addToxic(['pg'], {
      name: 'reset',
      type: 'reset_peer',
      stream: 'downstream',
      attributes: { timeout: 0 },
    }),
  heal: ({ stack }) => stack.removeToxics(),
};
