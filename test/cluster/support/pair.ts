// The e2e suite's "node" as two real nodes on PostgreSQL + Redis (CATALYST_E2E_BACKEND=pg-redis-2):
// a fresh database and Redis prefix per pair; REST (`url`: publishers, admin, reads) goes to node A
// and WebSocket (`wsUrl`: subscribers) to node B, so every delivery the suite checks crosses nodes
// through the bus, or the store when the bus misses. Lifecycle calls act on both: stop stops A
// (its publishes finish) and then B (its sessions drain with everything A acknowledged); kill9 and
// restart do both.
import type { TestContext } from 'node:test';
import { CatalystNodeProcess, type NodeOptions } from '../../support/node.js';
import { Cluster } from './cluster.js';

type Env = Record<string, string | undefined>;

export class NodePair {
  private constructor(
    readonly cluster: Cluster,
    readonly a: CatalystNodeProcess,
    readonly b: CatalystNodeProcess,
  ) {}

  static async start(t: TestContext | undefined, opts: NodeOptions): Promise<NodePair> {
    const cluster = await Cluster.start(t, {
      nodes: 2,
      env: opts.env,
      args: opts.args,
      logLevel: opts.logLevel,
      startTimeoutMs: opts.startTimeoutMs,
    });
    return new NodePair(cluster, cluster.node(0), cluster.node(1));
  }

  get url(): string {
    return this.a.url;
  }

  get wsUrl(): string {
    return this.b.wsUrl;
  }

  get port(): number {
    return this.a.port;
  }

  get epoch(): string {
    return this.a.epoch;
  }

  get pid(): number | undefined {
    return this.a.pid;
  }

  /** Where tokens live: the shared database (createToken and revokeTokenInStore read `env`). */
  get env(): Env {
    return this.a.env;
  }

  get dataDir(): string {
    return this.a.dataDir;
  }

  get logs(): string[] {
    return [...this.a.logs, ...this.b.logs];
  }

  get running(): boolean {
    return this.a.running && this.b.running;
  }

  /** The gateway's memory: the sessions live on B. */
  rssBytes(): number {
    return this.b.rssBytes();
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<number | null> {
    const codeA = await this.a.stop(signal, timeoutMs);
    const codeB = await this.b.stop(signal, timeoutMs);
    return codeA !== 0 ? codeA : codeB;
  }

  async kill9(): Promise<void> {
    await Promise.all([this.a.kill9(), this.b.kill9()]);
  }

  async restart(): Promise<void> {
    await Promise.all([this.a.restart(), this.b.restart()]);
  }

  logLines(): Array<Record<string, unknown>> {
    return [...this.a.logLines(), ...this.b.logLines()];
  }

  printLogs(header: string): void {
    this.a.printLogs(`${header} (node A: REST)`);
    this.b.printLogs(`${header} (node B: WebSocket)`);
  }

  dispose(): Promise<void> {
    return this.cluster.dispose();
  }
}

/** startNode's stand-in under CATALYST_E2E_BACKEND=pg-redis-2. */
export async function startPair(
  t: TestContext | undefined,
  opts: NodeOptions = {},
): Promise<CatalystNodeProcess> {
  // A test that names a data dir shares a SQLite store between processes on purpose (roles): as is.
  if (opts.dataDir !== undefined) return CatalystNodeProcess.startOne(t, opts);
  const pair = await NodePair.start(t, opts);
  // Same shape as a CatalystNodeProcess for everything the e2e suite uses.
  return pair as unknown as CatalystNodeProcess;
}
