// An in-process pipeline node (embedded SQLite in a temp dir, port 0) against loopback fakes, with
// admin and subscriber access, for tests that break the pipeline's outside services.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import pino from 'pino';
import { createToken } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config.js';
import type { Signal } from '../../src/domain/signal.js';
import type { WireRelease } from '../../src/demo/samples/wire-release.js';
import { openCommandStore, startCatalyst, type CatalystNode } from '../../src/main.js';
import type { FeedState, ItemRecord } from '../../src/pipeline/ledger.js';
import { FakeFeeds } from '../../src/demo/fake-feeds.js';
import { FakeLlm } from '../../src/demo/fake-llm.js';
import { FakeMarketData } from '../../src/demo/fake-market-data.js';

export interface FeedEntry {
  kind: string;
  url: string;
  name?: string;
  forms?: string[];
  interval_ms?: number;
  max_bytes?: number;
}

export interface PipelineNode {
  node: CatalystNode;
  /** An admin (and subscribe) token. */
  token: string;
  get<T>(path: string): Promise<T>;
  items(query?: string): Promise<ItemRecord[]>;
  feeds(): Promise<FeedState[]>;
  /** Every stored signal, by paging GET /signals. */
  signals(): Promise<Signal[]>;
  /** One series of /metrics (0 when absent), labels matched exactly as given. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

/** Starts a node polling `feeds` with `env` on top; everything it started ends with the test. */
export async function startPipelineNode(
  t: TestContext,
  feeds: FeedEntry[],
  env: Record<string, string>,
): Promise<PipelineNode> {
  const dir = mkdtempSync(join(tmpdir(), 'catalyst-pl-faults-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const feedsFile = join(dir, 'feeds.json');
  writeFileSync(feedsFile, JSON.stringify(feeds));
  const config = loadConfig(
    { port: '0', 'data-dir': dir },
    { CATALYST_FEEDS_FILE: feedsFile, CATALYST_SQLITE_SYNC: 'fast', ...env },
  );
  const store = await openCommandStore(config);
  const { token } = await createToken(store, 'pl-faults-admin', ['admin', 'subscribe']);
  await store.close();
  const node = await startCatalyst(config, { logger: pino({ level: 'silent' }) });
  t.after(() => node.close());

  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${node.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (path === '/metrics' ? await res.text() : await res.json()) as T;
  };
  return {
    node,
    token,
    get,
    items: async (query = '') =>
      (await get<{ items: ItemRecord[] }>(`/admin/pipeline/items?limit=1000${query}`)).items,
    feeds: async () => (await get<{ feeds: FeedState[] }>('/admin/pipeline/feeds')).feeds,
    signals: async () => {
      const all: Signal[] = [];
      for (let since = 0; ;) {
        const page = await get<{ signals: Signal[]; next_seq: number }>(
          `/signals?since_seq=${since}&limit=500`,
        );
        all.push(...page.signals);
        if (page.signals.length === 0 || page.next_seq === since) return all;
        since = page.next_seq;
      }
    },
    metric: async (name, labels = {}) => metricFromText(await get<string>('/metrics'), name, labels),
  };
}

/** Sums the samples of `name` whose labels include all of `labels`. */
export function metricFromText(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[4]);
  }
  return sum;
}

let serial = 0;

/** A fresh press release naming one listed company with a catalyst both classifiers recognise. */
export function catalystRelease(wire: 'gnw' | 'prn' = 'gnw'): WireRelease {
  serial++;
  const ticker = `Q${String.fromCharCode(65 + (((serial / 26) | 0) % 26))}${String.fromCharCode(65 + (serial % 26))}X`;
  const company = `Quarry ${ticker} Therapeutics`;
  return {
    // GlobeNewswire ids have 7 digits, PR Newswire's 9.
    id: String((wire === 'gnw' ? 3190000 : 302690000) + serial),
    title: `${company} Receives FDA Approval for QRX-${serial} in Rare Disease`,
    city: 'BOSTON, Mass.',
    body: `${company}, Inc. (Nasdaq: ${ticker}) today announced that the U.S. Food and Drug Administration approved QRX-${serial}.`,
    issuer: `${company}, Inc.`,
    stocks: [`Nasdaq:${ticker}`],
    subjects: ['FDA Approval'],
    minutesAgo: 0,
  };
}

/** The sample deployment: stand-ins of SEC, both wires, an LLM and market data, with their samples. */
export async function startSamplePipeline(t: TestContext, env: Record<string, string> = {}) {
  const fakes = await FakeFeeds.start();
  t.after(() => fakes.close());
  const llm = new FakeLlm();
  await llm.start();
  t.after(() => llm.close());
  const market = new FakeMarketData();
  await market.start();
  t.after(() => market.close());
  const feeds: FeedEntry[] = [
    {
      kind: 'sec_edgar',
      url: fakes.secUrl({ owner: 'include' }),
      forms: ['8-K', '4', 'SCHEDULE 13D', '424B5'],
    },
    { kind: 'globenewswire', url: fakes.gnwUrl },
    { kind: 'prnewswire', url: fakes.prnUrl },
  ];
  const node = await startPipelineNode(t, feeds, {
    SEC_USER_AGENT: 'Catalyst Tests admin@example.com',
    SEC_TICKERS_URL: fakes.secTickersUrl,
    LLM_BASE_URL: llm.baseUrl,
    LLM_MODEL: 'fake',
    MARKET_DATA_BASE_URL: market.baseUrl,
    ...env,
  });
  return { ...node, fakes, llm, market };
}
