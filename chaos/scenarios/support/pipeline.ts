// The pipeline's outside world for a scenario: the loopback stand-ins of SEC, the wires, the LLM and
// market data (src/demo), the env that points node A's pipeline at them (polling every second), and
// the pipeline's acknowledged signals: the items its ledger kept, with the seqs the store gave them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeFeeds } from '../../../src/demo/fake-feeds.js';
import { FakeLlm } from '../../../src/demo/fake-llm.js';
import { FAKE_TICKERS, FakeMarketData } from '../../../src/demo/fake-market-data.js';
import type { Signal } from '../../../src/domain/signal.js';
import { request } from '../../../test/support/node.js';
import type { Phases } from './phases.js';
import type { Ack } from './publisher.js';

export interface LoopbackServices {
  feeds: FakeFeeds;
  llm: FakeLlm;
  market: FakeMarketData;
  /** Env of a node that runs the pipeline against them. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * `gnwVia`: a host:port (a fault proxy's listen address) the pipeline reaches GlobeNewswire through,
 * so a slow or cut feed is a real network fault.
 */
export async function startLoopbackServices(gnwVia?: string): Promise<LoopbackServices> {
  const dir = mkdtempSync(join(tmpdir(), 'catalyst-chaos-'));
  const feeds = await FakeFeeds.start();
  const llm = new FakeLlm();
  // The scenarios' stories are about OCLB: the market stand-in knows it, so a healthy answer is complete.
  const market = new FakeMarketData({
    tickers: {
      ...FAKE_TICKERS,
      OCLB: {
        name: 'Orbital Cell Labs, Inc.',
        avgVolume: 250_000,
        todayVolume: 900_000,
        sharesOutstanding: 30_000_000,
      },
    },
  });
  await Promise.all([llm.start(), market.start()]);
  const file = join(dir, 'feeds.json');
  writeFileSync(
    file,
    JSON.stringify([
      { kind: 'sec_edgar', url: feeds.secUrl({ owner: 'include' }), interval_ms: 1000 },
      { kind: 'globenewswire', url: via(feeds.gnwUrl, gnwVia), interval_ms: 1000 },
      { kind: 'prnewswire', url: feeds.prnUrl, interval_ms: 1000 },
    ]),
  );
  return {
    feeds,
    llm,
    market,
    env: {
      CATALYST_FEEDS_FILE: file,
      SEC_USER_AGENT: 'Catalyst Chaos chaos@example.com',
      SEC_TICKERS_URL: feeds.secTickersUrl,
      LLM_BASE_URL: llm.baseUrl,
      LLM_MODEL: 'fake',
      MARKET_DATA_BASE_URL: market.baseUrl,
    },
    close: async () => {
      await Promise.all([feeds.close(), llm.close(), market.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const via = (url: string, hostPort: string | undefined) => {
  if (!hostPort) return url;
  const u = new URL(url);
  u.host = hostPort;
  return u.toString();
};

/** Signals the pipeline published (kept items of its ledger), as acknowledgements with their phase. */
export async function pipelineAcks(url: string, adminToken: string, phases: Phases): Promise<Ack[]> {
  const items = await request<{ items: Array<{ signal_ids?: string[] }> }>(
    url,
    'GET',
    '/admin/pipeline/items?decision=kept&limit=1000',
    { token: adminToken },
  );
  const kept = new Set(items.body.items.flatMap((i) => i.signal_ids ?? []));
  const acks: Ack[] = [];
  for (let since = 0; ;) {
    const page = await request<{ signals: Signal[]; next_seq: number }>(
      url,
      'GET',
      `/signals?since_seq=${since}&limit=1000`,
      { token: adminToken },
    );
    for (const s of page.body.signals) {
      if (!kept.has(s.id)) continue;
      const at = Date.parse(s.created_at);
      const phase =
        at < phases.faultAt ? 'before' : phases.healedAt === 0 || at < phases.healedAt ? 'fault' : 'after';
      acks.push({ id: s.id, seq: s.seq, signal: s, phase, at });
    }
    if (page.body.signals.length < 1000) return acks;
    since = page.body.next_seq;
  }
}
