// PostgreSQL faults between the nodes and the store. The store is the truth: without it a publish
// answers 503 fast (never acknowledged, so never owed), subscribers stay connected, and once it is
// back every signal acknowledged before, during and after reaches every subscriber once, in order.
import pg from 'pg';
import { waitFor } from '../../test/support/wait.js';
import { PrivatePostgres, postgresBinDir } from '../../test/cluster/support/private-postgres.js';
import type { ScenarioDef } from './support/scenario.js';

const storeBreakers = [
  { node: 'a' as const, dependency: 'store', during: 'open' as const },
  { node: 'b' as const, dependency: 'store', during: 'open' as const },
];

export const postgresDown: ScenarioDef = {
  name: 'postgres-down',
  fault: 'PostgreSQL proxy disabled 6 s',
  alert: { fires: ['CatalystStoreUnavailable', 'CatalystPublishAvailabilityBudgetBurn'] },
  breakers: storeBreakers,
  maxPublishMs: 6_000,
  inject: ({ stack }) => stack.setEnabled('pg', false),
  heal: ({ stack }) => stack.setEnabled('pg', true),
};

export const postgresSlow: ScenarioDef = {
  name: 'postgres-slow',
  fault: 'PostgreSQL +50 ms each way 6 s',
  alert: { none: '50 ms more a round trip: every store call still succeeds' },
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
  alert: { fires: ['CatalystStoreUnavailable'] },
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

/** A PostgreSQL server of the scenario's own (the shared one is never stopped), kept in privatePg. */
async function startPrivatePg(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql (install postgresql)');
  privatePg = await PrivatePostgres.start(bin);
  return privatePg;
}

export const postgresRestarted: ScenarioDef = {
  name: 'postgres-restarted',
  fault: 'private PostgreSQL stopped (immediate) 6 s, then started',
  alert: { fires: ['CatalystStoreUnavailable'] },
  breakers: storeBreakers,
  maxPublishMs: 6_000,
  stack: async () => {
    const pg = await startPrivatePg();
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

// The primary lost and its standby promoted: a private primary with a streaming standby made by
// pg_basebackup after the database exists, replication made synchronous (an acknowledged commit is
// on both, which is what makes a failover lossless), the primary stopped immediately for the fault,
// and the standby promoted and put behind the same proxy address to heal.
let standby: PrivatePostgres | undefined;

const sql = async (url: string, text: string) => {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await c.connect();
  try {
    return (await c.query(text)).rows as Array<Record<string, unknown>>;
  } finally {
    await c.end();
  }
};

export const postgresFailover: ScenarioDef = {
  name: 'postgres-failover',
  fault: 'primary stopped 6 s, then the synchronous standby promoted behind the proxy',
  alert: { fires: ['CatalystStoreUnavailable'] },
  breakers: storeBreakers,
  maxPublishMs: 6_000,
  stack: async () => {
    const primary = await startPrivatePg();
    standby = undefined;
    return {
      postgresUrl: primary.url,
      dispose: async () => {
        await standby?.dispose();
        await primary.dispose();
      },
    };
  },
  setup: async () => {
    const primary = live(privatePg);
    standby = await PrivatePostgres.standbyOf(primary);
    await sql(primary.url, "ALTER SYSTEM SET synchronous_standby_names = '*'");
    await sql(primary.url, 'SELECT pg_reload_conf()');
    await waitFor(
      async () =>
        (await sql(primary.url, "SELECT 1 FROM pg_stat_replication WHERE sync_state = 'sync'")).length > 0,
      'the standby to replicate synchronously',
      15_000,
      100,
    );
  },
  inject: () => live(privatePg).stop(),
  heal: async ({ stack }) => {
    const promoted = live(standby);
    await sql(promoted.url, 'SELECT pg_promote(true, 30)');
    await stack.setUpstream('pg', `127.0.0.1:${promoted.port}`);
  },
  verify: async (ctx) => {
    const [row] = await sql(live(standby).url, 'SELECT pg_is_in_recovery() AS standby');
    ctx.notes.push(`the promoted server in recovery afterwards: ${String(row?.standby)}`);
    if (row?.standby !== false) ctx.failures.push('the standby was not promoted');
  },
};
