// Pipeline nodes as a user runs them: real `catalyst serve` processes with --role pipeline (and one
// api node for the reads) on one PostgreSQL database and one Redis prefix, polling the loopback
// FakeFeeds. Everything started here ends with the test: nodes, database, Redis keys, fake, files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { FakeFeeds } from '../../src/demo/fake-feeds.js';
import type { FeedState, ItemRecord } from '../../src/pipeline/ledger.js';
import type { Signal } from '../../src/domain/signal.js';
import { Cluster } from '../cluster/support/cluster.js';
import { type CatalystNodeProcess, request } from '../support/node.js';

type Env = Record<string, string | undefined>;

/** One entry of CATALYST_FEEDS_FILE. */
export interface FeedEntry {
  kind: string;
  url: string;
  name: string;
  forms?: string[];
  interval_ms?: number;
  max_bytes?: number;
}

export const SEC_USER_AGENT = 'Catalyst Tests tests@catalyst.example';

export class PipelineCluster {
  readonly pipelines: CatalystNodeProcess[] = [];

  private constructor(
    readonly cluster: Cluster,
    readonly fake: FakeFeeds,
    readonly api: CatalystNodeProcess,
    private readonly adminToken: string,
    private readonly readToken: string,
  ) {}

  /**
   * A fake, a cluster with one api node, and `pipelineNodes` pipeline nodes. `feeds` gets the
   * fake to build its entries; `nodeFeeds` lets one pipeline node be configured differently.
   */
  static async start(
    t: TestContext,
    opts: {
      feeds: (fake: FakeFeeds) => FeedEntry[];
      pipelineNodes: number;
      env?: Env;
      nodeFeeds?: (fake: FakeFeeds, index: number) => FeedEntry[];
    },
  ): Promise<PipelineCluster> {
    const fake = await FakeFeeds.start();
    t.after(() => fake.close());
    const dir = mkdtempSync(join(tmpdir(), 'catalyst-pipeline-cluster-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const feedsFile = (name: string, feeds: FeedEntry[]) => {
      const path = join(dir, `${name}.json`);
      writeFileSync(path, JSON.stringify(feeds));
      return path;
    };
    const cluster = await Cluster.start(t, {
      nodes: 0,
      env: {
        SEC_USER_AGENT,
        SEC_TICKERS_URL: fake.secTickersUrl,
        CATALYST_FEEDS_FILE: feedsFile('feeds', opts.feeds(fake)),
        ...opts.env,
      },
    });
    // Bottleneck names its keys b_<id>_..., outside the cluster's prefix: removed once nodes are gone.
    const api = await cluster.addNode({ CATALYST_ROLE: 'api' });
    const adminToken = await cluster.token(['admin']);
    const readToken = await cluster.token(['subscribe']);
    const pc = new PipelineCluster(cluster, fake, api, adminToken, readToken);
    const nodes = await Promise.all(
      Array.from({ length: opts.pipelineNodes }, (_, i) =>
        cluster.addNode({
          CATALYST_ROLE: 'pipeline',
          ...(opts.nodeFeeds ? { CATALYST_FEEDS_FILE: feedsFile(`node-${i}`, opts.nodeFeeds(fake, i)) } : {}),
        }),
      ),
    );
    pc.pipelines.push(...nodes); // in index order, whichever started first
    return pc;
  }

  /** Each feed's state as the ledger has it (any node answers for all). */
  async feedStates(): Promise<FeedState[]> {
    const r = await request<{ feeds: FeedState[] }>(this.api.url, 'GET', '/admin/pipeline/feeds', {
      token: this.adminToken,
    });
    if (r.status !== 200) throw new Error(`/admin/pipeline/feeds answered ${r.status}`);
    return r.body.feeds;
  }

  /** Every decision the ledger holds (one per item: the last wins). */
  async items(): Promise<ItemRecord[]> {
    const r = await request<{ items: ItemRecord[] }>(
      this.api.url,
      'GET',
      '/admin/pipeline/items?limit=1000',
      {
        token: this.adminToken,
      },
    );
    if (r.status !== 200) throw new Error(`/admin/pipeline/items answered ${r.status}`);
    return r.body.items;
  }

  /** Every stored signal, read page by page through GET /signals. */
  async signals(): Promise<Signal[]> {
    const all: Signal[] = [];
    for (let since = 0; ;) {
      const r = await request<{ signals: Signal[]; next_seq: number }>(
        this.api.url,
        'GET',
        `/signals?since_seq=${since}&limit=1000`,
        { token: this.readToken },
      );
      if (r.status !== 200) throw new Error(`GET /signals answered ${r.status}`);
      all.push(...r.body.signals);
      if (r.body.signals.length < 1000) return all;
      since = r.body.next_seq;
    }
  }

  /** The pipeline node whose lease identity (hostname:pid:...) is `holder`. */
  nodeOf(holder: string | null): CatalystNodeProcess | undefined {
    const pid = holder?.split(':').at(-2); // the hostname comes first and may hold anything
    return this.pipelines.find((n) => pid === String(n.pid));
  }

  printLogs(header: string): void {
    this.cluster.printLogs(header);
  }
}

/** Runs `fn`; on failure prints every node's logs before rethrowing. */
export async function withLogsOnFailure<T>(
  get: () => PipelineCluster | undefined,
  name: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    get()?.printLogs(`failed: ${name}`);
    throw err;
  }
}
