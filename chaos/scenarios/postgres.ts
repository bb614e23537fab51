// PostgreSQL faults between the nodes and the store. The store is the truth: without it a publish
// answers 503 fast (never acknowledged, so never owed), subscribers stay connected, and once it is
// back every signal acknowledged before, during and after reaches every subscriber once, in order.
import { PrivatePostgres, postgresBinDir } from '../../test/cluster/support/private-postgres.js';
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

// PostgreSQL crashed and restarted (same data, same port): a private server (the shared one is never
// stopped) is stopped immediately for the fault and started again to heal. Meanwhile a publish is
// refused with 503 and a Retry-After, never acknowledged; the publishers retry the same ids, and
// once it is back each is stored once.
let privatePg: PrivatePostgres | undefined;

export const postgresRestarted: ScenarioDef = {
  name: 'postgres-restarted',
  fault: 'private PostgreSQL stopped (immediate) 6 s, then started',
  breakers: storeBreakers,
  maxPublishMs: 6_000,
  stack: async () => {
    const bin = postgresBinDir();
    if (!bin) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql (install postgresql)');
    const pg = await PrivatePostgres.start(bin);
    privatePg = pg;
    return { postgresUrl: pg.url, dispose: () => pg.dispose() };
  },
  inject: () => live(privatePg).stop(),
  heal: () => live(privatePg).start(),
  verify: async (ctx) => {
    const during = ctx.publishers.flatMap((p) => p.attempts).filter((a) => a.phase === 'fault');
    const refused = during.filter((a) => a.status === 503);
    const bare = refused.filter((a) => !a.retryAfter).length;
    const other = [...new Set(during.map((a) => a.status))].filter((s) => ![200, 201, 503].includes(s));
    ctx.notes.push(
      `publishes during the fault: ${during.length}, 503 ${refused.length} (${bare} without Retry-After), other statuses ${other.join(', ') || 'none'}`,
    );
    if (refused.length === 0) ctx.failures.push('no publish was refused with 503 during the fault');
    if (bare > 0) ctx.failures.push(`${bare} 503 answers had no Retry-After`);
    if (other.length > 0) ctx.failures.push(`publishes answered ${other.join(', ')} during the fault`);
  },
};

const live = (pg: PrivatePostgres | undefined): PrivatePostgres => {
  if (!pg) throw new Error('the private PostgreSQL is not running');
  return pg;
};
