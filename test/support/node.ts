// A real Catalyst node as a child process (`node --import tsx src/cli.ts serve`), for end-to-end
// tests: the same binary, config path, signal handling and exit codes a user gets. Defaults: PORT=0
// and a fresh temp data dir; `env` adds anything else (DATABASE_URL, REDIS_URL, CATALYST_* knobs), so
// multi-node suites start several with the same store env. Every node started with a TestContext is
// killed in that context's `after` hook, and any still alive when the test process exits is SIGKILLed.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type TestContext, it } from 'node:test';
import { createToken as createTokenInStore } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config.js';
import type { SignalInput } from '../../src/domain/signal.js';
import { openCommandStore } from '../../src/main.js';
import type { Scope } from '../../src/store/token-store.js';
import { withDeadline } from './wait.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'src/cli.ts');

type Env = Record<string, string | undefined>;

export interface NodeOptions {
  /** The SQLite data dir; a fresh temp dir (removed afterwards) when not given. */
  dataDir?: string;
  /** Extra env for the child, on top of the test process's own (minus PORT, DATABASE_URL, REDIS_URL). */
  env?: Env;
  /** Extra `serve` flags. */
  args?: string[];
  /** Default 'info': the "catalyst listening" line is an info line. */
  logLevel?: string;
  /** Default 0 (a free port chosen by the OS). */
  port?: number;
  /** Deadline for the "catalyst listening" line. Default 60000: a loaded CI machine compiles slowly. */
  startTimeoutMs?: number;
}

/** Where a node keeps its tokens: a data dir, or an env naming the store (DATABASE_URL). */
export interface StoreLocation {
  dataDir?: string;
  env?: Env;
}

const alive = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
});

/** Nodes started within each test, so a failing test can print their logs. */
const byTest = new WeakMap<TestContext, CatalystNodeProcess[]>();
/** Nodes a whole file shares (started without a context; the file's `after` disposes of them). */
const shared = new Set<CatalystNodeProcess>();

export class CatalystNodeProcess {
  readonly dataDir: string;
  readonly env: Env;
  /** Every line the child wrote to stdout and stderr, across restarts. */
  readonly logs: string[] = [];
  url = '';
  port: number;
  epoch = '';
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  private readonly ownsDataDir: boolean;

  private constructor(private readonly opts: NodeOptions) {
    this.ownsDataDir = opts.dataDir === undefined;
    this.dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'catalyst-e2e-'));
    this.port = opts.port ?? 0;
    this.env = {
      ...process.env,
      PORT: undefined,
      DATABASE_URL: undefined,
      REDIS_URL: undefined,
      HOST: '127.0.0.1',
      CATALYST_DATA_DIR: this.dataDir,
      LOG_LEVEL: opts.logLevel ?? 'info',
      NODE_NO_WARNINGS: '1',
      // Rate limits out of the way: tests drive far more traffic from one address and token than a
      // client would. A test of the limits sets its own.
      CATALYST_RATE_PUBLISH_PER_TOKEN: '10000000/1s',
      CATALYST_RATE_WS_CONNECTS_PER_IP: '10000000/1s',
      CATALYST_RATE_WS_CONNECTS_PER_TOKEN: '10000000/1s',
      CATALYST_RATE_WS_MESSAGES_PER_SESSION: '10000000/1s',
      CATALYST_RATE_REST_READS_PER_TOKEN: '10000000/1s',
      CATALYST_RATE_AUTH_FAILURES_PER_ADDRESS: '10000000/1s',
      CATALYST_MAX_UNAUTHENTICATED_PER_ADDRESS: '100000',
      ...opts.env,
    };
  }

  /**
   * Starts a node and waits for it to listen; with `t`, it is stopped (SIGKILL) when `t` ends.
   * With CATALYST_E2E_BACKEND=pg-redis-2 a "node" is two nodes on a fresh PostgreSQL database and
   * Redis prefix, REST on one and WebSocket on the other (test/cluster/support/pair.ts).
   */
  static async start(t: TestContext | undefined, opts: NodeOptions = {}): Promise<CatalystNodeProcess> {
    if (process.env.CATALYST_E2E_BACKEND === 'pg-redis-2') {
      const { startPair } = await import('../cluster/support/pair.js');
      return startPair(t, opts);
    }
    return CatalystNodeProcess.startOne(t, opts);
  }

  /** One node process, whatever the backend. */
  static async startOne(t: TestContext | undefined, opts: NodeOptions = {}): Promise<CatalystNodeProcess> {
    const node = new CatalystNodeProcess(opts);
    if (t) {
      const list = byTest.get(t) ?? [];
      list.push(node);
      byTest.set(t, list);
      t.after(() => node.dispose());
    } else {
      shared.add(node);
    }
    await node.spawn();
    return node;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get wsUrl(): string {
    return `${this.url.replace(/^http/, 'ws')}/ws`;
  }

  /** Resident memory of the child in bytes (Linux: VmRSS in /proc/<pid>/status). */
  rssBytes(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    if (kb === undefined) throw new Error(`no VmRSS for pid ${this.pid}`);
    return Number(kb) * 1024;
  }

  /** Sends `signal` and waits for the exit; resolves with the exit code (null if killed by a signal). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<number | null> {
    if (!this.running) return this.exited;
    this.child?.kill(signal);
    return withDeadline(this.exited, `node pid ${this.pid} to exit after ${signal}`, timeoutMs);
  }

  /** A crash: SIGKILL, no drain. Resolves once the process is gone. */
  async kill9(): Promise<void> {
    await this.stop('SIGKILL', 5000);
  }

  /** Starts again on the same port and data dir (after stop or kill9). */
  async restart(): Promise<void> {
    if (this.running) throw new Error('restart() needs the node stopped first');
    await this.spawn();
  }

  /** The logs of this node, parsed where they are JSON lines. */
  logLines(): Array<Record<string, unknown>> {
    return this.logs.flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  printLogs(header: string): void {
    process.stderr.write(
      `--- ${header}: logs of node ${this.url || '(not listening)'} ---\n${this.logs.join('\n')}\n---\n`,
    );
  }

  async dispose(): Promise<void> {
    shared.delete(this);
    if (this.running) await this.kill9();
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  private spawn(): Promise<void> {
    const args = ['--import', 'tsx', CLI, 'serve', ...(this.opts.args ?? [])];
    const env = Object.fromEntries(
      Object.entries({ ...this.env, PORT: String(this.port) }).filter(
        (e): e is [string, string] => e[1] !== undefined,
      ),
    );
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    alive.add(child);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        alive.delete(child);
        resolve(code);
      }),
    );
    let listening: (() => void) | undefined;
    const onLine = (line: string) => {
      if (!line) return;
      this.logs.push(line);
      if (!line.includes('"catalyst listening"')) return;
      const entry = JSON.parse(line) as { url: string; epoch: string };
      this.url = entry.url;
      this.epoch = entry.epoch;
      this.port = Number(new URL(entry.url).port);
      listening?.();
    };
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream?.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const l of lines) onLine(l);
      });
    }
    const started = new Promise<void>((resolve, reject) => {
      listening = resolve;
      void this.exited.then((code) =>
        reject(new Error(`node exited with ${code} before listening:\n${this.logs.join('\n')}`)),
      );
    });
    return withDeadline(
      started,
      'the "catalyst listening" log line',
      this.opts.startTimeoutMs ?? 60_000,
    ).catch(async (err) => {
      await this.dispose();
      throw err;
    });
  }
}

export const startNode = (t: TestContext | undefined, opts?: NodeOptions) =>
  CatalystNodeProcess.start(t, opts);

/**
 * `it` for tests that start nodes: when the test fails, the logs of every node it started are
 * printed before the failure is reported.
 */
export function e2e(
  name: string,
  fn: (t: TestContext) => Promise<void>,
  opts: { timeout?: number } = {},
): void {
  it(name, { timeout: opts.timeout ?? 120_000 }, async (t) => {
    try {
      await fn(t);
    } catch (err) {
      for (const node of [...shared, ...(byTest.get(t) ?? [])]) node.printLogs(`failed: ${name}`);
      throw err;
    }
  });
}

function storeConfig(where: string | StoreLocation) {
  const loc = typeof where === 'string' ? { dataDir: where } : where;
  const env = { ...(loc.env ?? {}) };
  if (loc.dataDir !== undefined) env.CATALYST_DATA_DIR = loc.dataDir;
  return loadConfig({}, env);
}

let tokenCounter = 0;

/** Creates a token in the node's store (in-process, as `catalyst tokens create` does). */
export async function createToken(
  where: string | StoreLocation,
  scopes: Scope[],
  name = `e2e-${process.pid}-${++tokenCounter}`,
): Promise<{ token: string; name: string }> {
  const store = await openCommandStore(storeConfig(where));
  try {
    const { token } = await createTokenInStore(store, name, scopes);
    return { token, name };
  } finally {
    await store.close();
  }
}

/** Revokes a token in the store directly, as `catalyst tokens revoke` does (nodes notice by polling). */
export async function revokeTokenInStore(where: string | StoreLocation, name: string): Promise<boolean> {
  const store = await openCommandStore(storeConfig(where));
  try {
    return await store.revokeToken(name);
  } finally {
    await store.close();
  }
}

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** One HTTP call with a bearer token; the body is parsed JSON (or the raw text when it is not JSON). */
export async function request<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  let body: string | Buffer | undefined = opts.rawBody;
  if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/**
 * The store's head as REST readers see it (the last stored seq), read page by page. On two nodes a
 * gateway's welcome `last_seq` may lag it for a moment: compare publishes against this one.
 */
export async function storeHead(baseUrl: string, token: string): Promise<number> {
  let head = 0;
  for (;;) {
    const r = await request<{ signals: Array<{ seq: number }> }>(
      baseUrl,
      'GET',
      `/signals?since_seq=${head}&limit=1000`,
      { token },
    );
    if (r.status !== 200) throw new Error(`GET /signals answered ${r.status}: ${JSON.stringify(r.body)}`);
    head = r.body.signals.at(-1)?.seq ?? head;
    if (r.body.signals.length < 1000) return head;
  }
}

export interface PublishAck {
  seq: number;
  id: string;
  created_at: string;
}

/** POST /signals; throws unless the answer is 200/201. */
export async function publish(
  baseUrl: string,
  token: string,
  signal: SignalInput | object,
): Promise<PublishAck & { status: number }> {
  const r = await request<PublishAck>(baseUrl, 'POST', '/signals', { token, body: signal });
  if (r.status !== 201 && r.status !== 200)
    throw new Error(`publish answered ${r.status}: ${JSON.stringify(r.body)}`);
  return { ...r.body, status: r.status };
}

/** POST /signals/batch; throws unless 201 and every item was stored. */
export async function publishBatch(
  baseUrl: string,
  token: string,
  signals: Array<SignalInput | object>,
): Promise<PublishAck[]> {
  const r = await request<{ results: Array<PublishAck & { error?: unknown }> }>(
    baseUrl,
    'POST',
    '/signals/batch',
    {
      token,
      body: signals,
    },
  );
  if (r.status !== 201) throw new Error(`batch answered ${r.status}: ${JSON.stringify(r.body)}`);
  const bad = r.body.results.find((x) => x.error !== undefined);
  if (bad) throw new Error(`a batch item was refused: ${JSON.stringify(bad)}`);
  return r.body.results;
}

/** A node and one token with the publish and subscribe scopes: what most e2e tests start from. */
export async function startNodeWithToken(
  t: TestContext | undefined,
  opts?: NodeOptions,
): Promise<{ node: CatalystNodeProcess; token: string }> {
  const node = await startNode(t, opts);
  const { token } = await createToken(node, ['publish', 'subscribe']);
  return { node, token };
}
