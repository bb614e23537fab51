// `catalyst demo`: the whole product with no internet. Loopback stand-ins of SEC EDGAR,
// GlobeNewswire, PR Newswire, an LLM and a market-data API feed the real pipeline of a real node;
// bundled news is released every few seconds so signals keep arriving live.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatalystClient } from '../client/index.js';
import type { Command } from '../cli.js';
import { loadConfig } from '../config.js';
import { FakeFeeds } from '../demo/fake-feeds.js';
import { FakeLlm } from '../demo/fake-llm.js';
import { FakeMarketData } from '../demo/fake-market-data.js';

export const demoCommand: Command = {
  summary: 'run the pipeline on bundled sample news (no internet needed)',
  usage: `Usage: catalyst demo [--port N] [--data-dir DIR] [--every SECONDS] [--quiet]

Starts loopback stand-ins of SEC EDGAR, GlobeNewswire, PR Newswire, an OpenAI-compatible LLM and
a Polygon-compatible market-data API, and a node (all roles) whose pipeline polls them. The sample
news (made-up companies) is judged at once; more is released every --every seconds (default 10).
Signals are printed here as JSON lines; the token printed on stderr lets "catalyst subscribe",
"catalyst publish" and the console at /console connect too. The store is a fresh temporary
directory (removed on exit) unless --data-dir is given. Ctrl-C stops everything.`,
  options: { every: { type: 'string' }, quiet: { type: 'boolean' } },
  async run(flags) {
    const every = Number(flags.every ?? 10);
    if (!Number.isFinite(every) || every < 1) throw new Error(`--every must be a number of seconds >= 1`);
    const ownDir = flags['data-dir'] === undefined;
    const dataDir = ownDir ? mkdtempSync(join(tmpdir(), 'catalyst-demo-')) : String(flags['data-dir']);
    const feeds = await FakeFeeds.start();
    const llm = new FakeLlm();
    const market = new FakeMarketData();
    await Promise.all([llm.start(), market.start()]);
    const env = {
      ...process.env,
      CATALYST_DATA_DIR: dataDir,
      CATALYST_FEEDS: [
        `sec_edgar=${feeds.secUrl({ owner: 'include' })}`,
        `globenewswire=${feeds.gnwUrl}`,
        `prnewswire=${feeds.prnUrl}`,
      ].join(','),
      SEC_USER_AGENT: 'Catalyst Demo demo@example.com',
      SEC_TICKERS_URL: feeds.secTickersUrl,
      LLM_BASE_URL: llm.baseUrl,
      LLM_MODEL: 'demo',
      MARKET_DATA_BASE_URL: market.baseUrl,
      CATALYST_FEEDS_FILE: '',
    };
    const config = loadConfig({ ...flags, 'data-dir': dataDir, role: 'all' }, env);
    // Short intervals: a demo should move.
    for (const f of config.pipeline.feeds) f.intervalMs = 5_000;
    const { openCommandStore, startCatalyst } = await import('../main.js');
    const { createToken } = await import('../auth/tokens.js');
    const { createLogger } = await import('../observability/logger.js');
    const store = await openCommandStore(config);
    const name = `demo-${Date.now().toString(36)}`;
    const { token } = await createToken(store, name, ['admin']);
    await store.close();

    const node = await startCatalyst(config, {
      logger: createLogger({ level: flags.quiet ? 'error' : 'warn' }),
    });
    const wsUrl = `${node.url.replace(/^http/, 'ws')}/ws`;
    process.stderr.write(
      [
        '',
        `Catalyst demo: a node at ${node.url} polling sample feeds on loopback (made-up companies).`,
        `  store:       ${dataDir}${ownDir ? ' (removed on exit)' : ''}`,
        `  console:     ${node.url}/console (sign in with the token below)`,
        `  token:       ${token}`,
        `  in another terminal:`,
        `    CATALYST_TOKEN=${token} catalyst subscribe --server ${node.url} --min-confidence 0.7`,
        `    curl -H "authorization: Bearer ${token}" '${node.url}/admin/pipeline/items?decision=dropped'`,
        `Signals follow, one JSON line each; more news every ${every} s. Ctrl-C stops.`,
        '',
      ].join('\n'),
    );
    // From the start of this store's history: the backlog judged at the first poll, then live.
    const client = new CatalystClient({ url: wsUrl, token, position: { epoch: node.epoch, seq: 0 } });
    const printing = (async () => {
      for await (const s of client.signals()) process.stdout.write(`${JSON.stringify(s)}\n`);
    })().catch(() => undefined);
    const release = setInterval(() => {
      if (!feeds.publishNext()) clearInterval(release);
    }, every * 1000);

    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    clearInterval(release);
    await client.close();
    await printing;
    await node.close();
    await Promise.all([feeds.close(), llm.close(), market.close()]);
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    return 0;
  },
};
