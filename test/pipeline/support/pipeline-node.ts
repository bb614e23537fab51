// An in-process node running every role, with the pipeline reading the loopback stand-ins of SEC,
// GlobeNewswire, PR Newswire, an LLM and a market-data API. Everything it starts ends after the test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { createToken } from '../../../src/auth/tokens.js';
import { loadConfig } from '../../../src/config.js';
import { FakeFeeds } from '../../../src/demo/fake-feeds.js';
import { FakeLlm } from '../../../src/demo/fake-llm.js';
import { FakeMarketData } from '../../../src/demo/fake-market-data.js';
import { type CatalystNode, openCommandStore, startCatalyst } from '../../../src/main.js';
import { createLogger } from '../../../src/observability/logger.js';

export interface PipelineNode {
  node: CatalystNode;
  feeds: FakeFeeds;
  llm: FakeLlm;
  market: FakeMarketData;
  /** An admin token (admin implies subscribe). */
  token: string;
  get<T = any>(path: string): Promise<T>;
}

export async function startPipelineNode(
  t: TestContext,
  opts: { feeds?: (f: FakeFeeds) => object[]; env?: Record<string, string> } = {},
): Promise<PipelineNode> {
  const dir = mkdtempSync(join(tmpdir(), 'catalyst-pipeline-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const feeds = await FakeFeeds.start();
  t.after(() => feeds.close());
  const llm = new FakeLlm();
  await llm.start();
  t.after(() => llm.close());
  const market = new FakeMarketData();
  await market.start();
  t.after(() => market.close());
  const feedList = opts.feeds?.(feeds) ?? [
    {
      kind: 'sec_edgar',
      url: feeds.secUrl({ owner: 'include' }),
      forms: ['8-K', '4', 'SCHEDULE 13D', '424B5'],
    },
    { kind: 'globenewswire', url: feeds.gnwUrl },
    { kind: 'prnewswire', url: feeds.prnUrl },
  ];
  const feedsFile = join(dir, 'feeds.json');
  writeFileSync(feedsFile, JSON.stringify(feedList));
  const env: Record<string, string> = {
    CATALYST_DATA_DIR: dir,
    PORT: '0',
    CATALYST_FEEDS_FILE: feedsFile,
    SEC_USER_AGENT: 'Catalyst Tests admin@example.com',
    SEC_TICKERS_URL: feeds.secTickersUrl,
    LLM_BASE_URL: llm.baseUrl,
    LLM_MODEL: 'fake',
    MARKET_DATA_BASE_URL: market.baseUrl,
    ...opts.env,
  };
  const config = loadConfig({}, env);
  const store = await openCommandStore(config);
  const { token } = await createToken(store, 'pipeline-test-admin', ['admin']);
  await store.close();
  const node = await startCatalyst(config, { logger: createLogger({ level: 'silent' }) });
  t.after(() => node.close());
  const get = async <T = any>(path: string): Promise<T> => {
    const res = await fetch(`${node.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return { node, feeds, llm, market, token, get };
}
