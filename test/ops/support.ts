// Helpers of the operations suites (test/ops): a fault proxy driven over its Toxiproxy HTTP API,
// Prometheus text lookups, latency percentiles, a PostgreSQL database reached through the proxy.
import type { TestContext } from 'node:test';
import pg from 'pg';
import { startFaultProxy } from '../../chaos/fault-proxy/src/index.js';
import { createTestDatabase, type TestDatabase } from '../store/postgres-database.js';
import type { Scope } from '../../src/store/token-store.js';
import { type CatalystNodeProcess, createToken, type Reply, request, startNode } from '../support/node.js';

export interface Toxic {
  name: string;
  type: 'latency' | 'timeout' | 'bandwidth' | 'reset_peer' | 'slow_close' | 'limit_data';
  stream?: 'upstream' | 'downstream';
  attributes: Record<string, number>;
}

export interface ProxiedUpstream {
  name: string;
  /** host:port clients connect to. */
  listen: string;
  addToxic(toxic: Toxic): Promise<void>;
  removeToxic(name: string): Promise<void>;
  setEnabled(enabled: boolean): Promise<void>;
  /** A counter or gauge of the proxy's /metrics for this proxy (labels beyond `proxy` optional). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

/** A fault proxy (stopped after the test) with one proxy in front of `upstream`. */
export async function proxyTo(t: TestContext, name: string, upstream: string): Promise<ProxiedUpstream> {
  const fp = await startFaultProxy({ host: '127.0.0.1', port: 0, logLevel: 'disabled' });
  t.after(() => fp.stop());
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${fp.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`fault proxy ${method} ${path}: ${res.status} ${text}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  const created = await api('POST', '/proxies', { name, listen: '127.0.0.1:0', upstream, enabled: true });
  return {
    name,
    listen: created.listen as string,
    addToxic: async (x) =>
      void (await api('POST', `/proxies/${name}/toxics`, { stream: 'downstream', toxicity: 1, ...x })),
    removeToxic: async (x) => void (await api('DELETE', `/proxies/${name}/toxics/${x}`)),
    setEnabled: async (enabled) => void (await api('POST', `/proxies/${name}`, { enabled })),
    metric: async (metric, labels = {}) => {
      const text = await (await fetch(`${fp.url}/metrics`)).text();
      return sample(text, metric, { proxy: name, ...labels }) ?? 0;
    },
  };
}

/** A throwaway database, dropped after the test, and its URL through `proxy`. */
export async function proxiedDatabase(
  t: TestContext,
  proxy: ProxiedUpstream,
): Promise<TestDatabase & { proxiedUrl: string }> {
  const db = await createTestDatabase();
  t.after(() => db.drop());
  const u = new URL(db.url);
  u.host = proxy.listen;
  return { ...db, proxiedUrl: u.toString() };
}

/**
 * A node whose PostgreSQL (a fresh database) is reached only through a fault proxy, with a token
 * created directly in that database; `env` adds to the node's environment.
 */
export async function nodeBehindProxy(
  t: TestContext,
  scopes: Scope[],
  env: Record<string, string> = {},
): Promise<{ proxy: ProxiedUpstream; db: TestDatabase; token: string; node: CatalystNodeProcess }> {
  const proxy = await proxyTo(t, 'pg', '127.0.0.1:5432');
  const db = await proxiedDatabase(t, proxy);
  const { token } = await createToken({ env: { DATABASE_URL: db.url } }, scopes);
  const node = await startNode(t, { env: { DATABASE_URL: db.proxiedUrl, ...env } });
  return { proxy, db, token, node };
}

/** The value of the first sample of `name` whose labels include `labels`, from Prometheus text. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries(
      [...(m[3] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[4]);
  }
  return undefined;
}

export async function metricsText(baseUrl: string): Promise<string> {
  const r = await request<string>(baseUrl, 'GET', '/metrics');
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
  return r.body;
}

/** Times `fn` once, in milliseconds. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** p50/p99/max of `n` sequential runs of `fn`, in milliseconds. */
export async function latencies(
  n: number,
  fn: () => Promise<unknown>,
): Promise<{ p50: number; p99: number; max: number }> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) ms.push((await timed(fn)).ms);
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)]!;
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(ms[ms.length - 1]!) };
}

export const round = (ms: number) => Math.round(ms * 10) / 10;

/** Asserts the protocol's error shape with `code`, and a Retry-After for 429 and 503. */
export function errorShape(r: Reply, status: number, code: string): string | undefined {
  if (r.status !== status) return `status ${r.status}, wanted ${status}: ${JSON.stringify(r.body)}`;
  const e = (r.body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (!e || e.code !== code || typeof e.message !== 'string')
    return `body ${JSON.stringify(r.body)} is not {"error":{"code":"${code}",...}}`;
  if ((status === 429 || status === 503) && !/^\d+$/.test(r.headers.get('retry-after') ?? ''))
    return `no Retry-After on ${status}`;
  return undefined;
}

/** Backends of the node (application_name catalyst) inside a transaction, seen directly, not through the proxy. */
export async function inTransaction(dbUrl: string, dbName: string): Promise<number> {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'catalyst' AND xact_start IS NOT NULL",
      [dbName],
    );
    return Number(r.rows[0]!.n);
  } finally {
    await c.end();
  }
}
