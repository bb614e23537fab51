// The stack a scenario runs against: two Catalyst nodes (test/cluster's Cluster) on the shared
// PostgreSQL and Redis, each reached only through the fault proxy, driven with toxiproxy-node-client.
// Every node has its own Redis proxy (so one node can be cut from Redis alone); both share one
// PostgreSQL proxy; node B's WebSocket port has a proxy too, for faults on the subscribers' side.
import { type ICreateToxicBody, type Proxy, Toxiproxy } from 'toxiproxy-node-client';
import { startFaultProxy, type RunningFaultProxy } from '../../fault-proxy/src/index.js';
import { Cluster, metricValue } from '../../../test/cluster/support/cluster.js';
import type { CatalystNodeProcess } from '../../../test/support/node.js';
import { POSTGRES_URL, REDIS_URL } from '../../../test/support/servers.js';

type Env = Record<string, string | undefined>;

/** Breaker states as /metrics encodes them. */
export const BREAKER = { closed: 0, half_open: 1, open: 2 } as const;

const hostPort = (url: string, fallback: number) => {
  const u = new URL(url);
  return `${u.hostname}:${u.port || fallback}`;
};

export interface StackOptions {
  /** Env for every node (on top of store, bus and prefix). */
  env?: Env;
  /** Env for one node only, by index. */
  nodeEnv?: Env[];
  /** host:port the Redis proxies lead to (a private redis-server a scenario may kill); default the shared one. */
  redisUpstream?: string;
  /** A PostgreSQL server URL (a private one a scenario may stop); default the shared one. */
  postgresUrl?: string;
  /** More proxies, created before the nodes start (a feed stand-in's, on a port the node's config names). */
  proxies?: Array<{ name: string; listen: string; upstream: string }>;
}

export class Stack {
  readonly nodes: CatalystNodeProcess[] = [];
  /** Proxies by name: pg, redis-a, redis-b, ws-b, and the scenario's own. */
  readonly proxies = new Map<string, Proxy>();
  private readonly toxics: Array<{ remove(): Promise<void> }> = [];

  private constructor(
    readonly faultProxy: RunningFaultProxy,
    readonly toxiproxy: Toxiproxy,
    readonly cluster: Cluster,
  ) {}

  static async start(opts: StackOptions = {}): Promise<Stack> {
    const fp = await startFaultProxy({ host: '127.0.0.1', port: 0, seed: 12, logLevel: 'disabled' });
    const toxiproxy = new Toxiproxy(fp.url);
    let cluster: Cluster | undefined;
    try {
      const proxy = (name: string, upstream: string) =>
        toxiproxy.createProxy({ name, listen: '127.0.0.1:0', upstream });
      const pgProxy = await proxy('pg', hostPort(opts.postgresUrl ?? POSTGRES_URL, 5432));
      // The cluster creates, migrates and drops its database directly; the nodes go through the proxy.
      cluster = await Cluster.start(undefined, { nodes: 0, env: opts.env, postgresUrl: opts.postgresUrl });
      const stack = new Stack(fp, toxiproxy, cluster);
      stack.proxies.set('pg', pgProxy);
      for (const p of opts.proxies ?? []) stack.proxies.set(p.name, await toxiproxy.createProxy(p));
      const dbUrl = new URL(cluster.databaseUrl);
      dbUrl.host = pgProxy.listen;
      for (const [i, name] of ['a', 'b'].entries()) {
        const redis = await proxy(`redis-${name}`, opts.redisUpstream ?? hostPort(REDIS_URL, 6379));
        stack.proxies.set(`redis-${name}`, redis);
        const node = await cluster.addNode({
          DATABASE_URL: dbUrl.toString(),
          REDIS_URL: `redis://${redis.listen}`,
          ...opts.nodeEnv?.[i],
        });
        stack.nodes.push(node);
      }
      stack.proxies.set('ws-b', await proxy('ws-b', `127.0.0.1:${stack.b.port}`));
      return stack;
    } catch (err) {
      await cluster?.dispose();
      await fp.stop();
      throw err;
    }
  }

  get a(): CatalystNodeProcess {
    return this.nodes[0] as CatalystNodeProcess;
  }

  get b(): CatalystNodeProcess {
    return this.nodes[1] as CatalystNodeProcess;
  }

  proxy(name: string): Proxy {
    const p = this.proxies.get(name);
    if (!p) throw new Error(`no proxy ${name}`);
    return p;
  }

  /** node B's WebSocket URL through the ws-b proxy. */
  get proxiedWsUrlB(): string {
    return `ws://${this.proxy('ws-b').listen}/ws`;
  }

  /** Turns a proxy off (every connection closed, new ones refused) or on again. */
  async setEnabled(name: string, enabled: boolean): Promise<void> {
    const p = this.proxy(name);
    const updated = await p.update({ enabled, listen: p.listen, upstream: p.upstream });
    this.proxies.set(name, updated);
  }

  /** Points a proxy at another upstream (a server restarted on another port); its address stays. */
  async setUpstream(name: string, upstream: string): Promise<void> {
    const p = this.proxy(name);
    this.proxies.set(name, await p.update({ enabled: p.enabled, listen: p.listen, upstream }));
  }

  /** Adds the same toxic (toxicity 1) to each named proxy. */
  async addToxic<T>(names: string[], body: Omit<ICreateToxicBody<T>, 'toxicity'>): Promise<void> {
    for (const name of names) this.toxics.push(await this.proxy(name).addToxic({ toxicity: 1, ...body }));
  }

  /** Removes every toxic added with addToxic. */
  async removeToxics(): Promise<void> {
    for (const t of this.toxics.splice(0)) await t.remove();
  }

  /** A dependency's breaker state on a node (0 closed, 1 half-open, 2 open). */
  breaker(node: CatalystNodeProcess, dependency: string): Promise<number> {
    return metricValue(node.url, 'catalyst_dependency_breaker_state', { dependency });
  }

  async dispose(): Promise<void> {
    // Faults off first, so the nodes stop cleanly and the cluster's cleanup reaches Redis.
    await this.toxiproxy.reset().catch(() => undefined);
    await this.cluster.dispose();
    await this.faultProxy.stop();
  }
}
