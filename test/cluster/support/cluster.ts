// Several real Catalyst nodes (child processes) sharing one PostgreSQL database and one Redis key
// prefix: what a user runs behind a load balancer. Each cluster gets its own database on the shared
// PostgreSQL (or a private server's) and its own CATALYST_REDIS_PREFIX on the shared Redis (or a
// private redis-server), and removes nodes, database and keys when its test ends.
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Scope } from '../../../src/store/token-store.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { CatalystNodeProcess, createToken, type NodeOptions } from '../../support/node.js';
import { POSTGRES_URL, REDIS_URL } from '../../support/servers.js';

type Env = Record<string, string | undefined>;

export interface ClusterOptions {
  nodes?: number;
  /** A PostgreSQL server URL (any database); the cluster creates its own database on it. */
  postgresUrl?: string;
  redisUrl?: string;
  /** Env for every node (on top of the store, bus and prefix). */
  env?: Env;
  args?: string[];
  logLevel?: string;
  startTimeoutMs?: number;
}

async function admin<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export class Cluster {
  readonly nodes: CatalystNodeProcess[] = [];
  private disposed = false;

  private constructor(
    readonly databaseName: string,
    readonly databaseUrl: string,
    private readonly postgresUrl: string,
    readonly redisUrl: string,
    readonly prefix: string,
    /** The env every node gets: the shared store, bus and key prefix. */
    readonly env: Env,
    private readonly nodeOpts: Omit<NodeOptions, 'env'>,
  ) {}

  static async start(t: TestContext | undefined, opts: ClusterOptions = {}): Promise<Cluster> {
    const postgresUrl = opts.postgresUrl ?? POSTGRES_URL;
    const redisUrl = opts.redisUrl ?? REDIS_URL;
    // CATALYST_CLUSTER_RUN (lower-case hex) marks every name of one run, so its cleanup can be checked.
    const run = process.env.CATALYST_CLUSTER_RUN;
    const tag = `${run && /^[0-9a-f]{1,16}$/.test(run) ? `${run}_` : ''}${process.pid}_${randomBytes(4).toString('hex')}`;
    const name = `catalyst_cluster_${tag}`;
    await admin(postgresUrl, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE template0`));
    const u = new URL(postgresUrl);
    u.pathname = `/${name}`;
    const prefix = `catalyst-test-${tag}`;
    const env: Env = {
      ...opts.env,
      DATABASE_URL: u.toString(),
      REDIS_URL: redisUrl,
      CATALYST_REDIS_PREFIX: prefix,
    };
    const cluster = new Cluster(name, u.toString(), postgresUrl, redisUrl, prefix, env, {
      args: opts.args,
      logLevel: opts.logLevel,
      startTimeoutMs: opts.startTimeoutMs,
    });
    t?.after(() => cluster.dispose());
    try {
      // Migrate once before the nodes start (they would serialise on the migration lock anyway).
      const store = new PostgresStore({ url: cluster.databaseUrl });
      await store.migrate().finally(() => store.close());
      await Promise.all(Array.from({ length: opts.nodes ?? 2 }, () => cluster.addNode()));
    } catch (err) {
      await cluster.dispose();
      throw err;
    }
    return cluster;
  }

  /** One more node on the same store and bus (stopped with the cluster). */
  async addNode(extraEnv: Env = {}): Promise<CatalystNodeProcess> {
    const node = await CatalystNodeProcess.startOne(undefined, {
      ...this.nodeOpts,
      env: { ...this.env, ...extraEnv },
    });
    this.nodes.push(node);
    return node;
  }

  node(i: number): CatalystNodeProcess {
    const n = this.nodes[i];
    if (!n) throw new Error(`no node ${i}`);
    return n;
  }

  /** A token in the shared store (any node accepts it). */
  async token(scopes: Scope[] = ['publish', 'subscribe']): Promise<string> {
    return (await createToken({ env: this.env }, scopes)).token;
  }

  /** Direct SQL on the cluster's database. */
  query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    return admin(this.databaseUrl, async (c) => (await c.query<R>(sql, params)).rows);
  }

  printLogs(header: string): void {
    for (const n of this.nodes) n.printLogs(header);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all(this.nodes.map((n) => n.dispose()));
    await admin(this.postgresUrl, async (c) => {
      await c.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [this.databaseName],
      );
      await c.query(`DROP DATABASE IF EXISTS ${this.databaseName}`);
    }).catch((err) =>
      process.stderr.write(`could not drop ${this.databaseName}: ${(err as Error).message}\n`),
    );
    await deleteKeys(this.redisUrl, this.prefix).catch(() => undefined);
    // A pipeline's shared limiters (Bottleneck) keep their keys under `b_<prefix>:`.
    await deleteKeys(this.redisUrl, `b_${this.prefix}`).catch(() => undefined);
  }
}

/** Removes every key under `prefix:` (SCAN, never KEYS: the shared Redis serves others too). */
export async function deleteKeys(redisUrl: string, prefix: string): Promise<number> {
  const r = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: () => null,
  });
  r.on('error', () => undefined);
  await r.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
  return deleted;
}

/** Counts keys under `prefix:` (to check that cleanup left nothing). */
export async function countKeys(redisUrl: string, prefix: string): Promise<number> {
  const r = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  r.on('error', () => undefined);
  await r.connect();
  try {
    let n = 0;
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      n += keys.length;
    } while (cursor !== '0');
    return n;
  } finally {
    r.disconnect();
  }
}

/** Reads one metric's samples from a node's /metrics: label string -> value. */
export async function metricSamples(
  baseUrl: string,
  name: string,
  init?: RequestInit,
): Promise<Map<string, number>> {
  const text = await (await fetch(`${baseUrl}/metrics`, init)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    out.set(m[2] ?? '', Number(m[3]));
  }
  return out;
}

/** Sum of a metric's samples whose labels contain every `key="value"` of `labels`. */
export async function metricValue(
  baseUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  let sum = 0;
  for (const [l, v] of await metricSamples(baseUrl, name)) {
    if (Object.entries(labels).every(([k, want]) => l.includes(`${k}="${want}"`))) sum += v;
  }
  return sum;
}
