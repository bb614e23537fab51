// `catalyst demo`: the whole product with no internet. Loopback stand-ins of SEC EDGAR,
// GlobeNewswire, PR Newswire, an LLM and a market-data API feed the real pipeline of a real node;
// bundled news is released every few seconds so signals keep arriving live.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { CatalystClient } from '../client/index.js';
import type { Command } from '../cli.js';
import { loadConfig } from '../config.js';
import { FakeFeeds } from '../demo/fake-feeds.js';
import { FakeLlm } from '../demo/fake-llm.js';
import { FakeMarketData } from '../demo/fake-market-data.js';
import { assertCanListen, listenError } from './port-check.js';
import { UsageError } from './usage-error.js';

/** This CLI as the user can type it again: `catalyst` when installed, else how it was started. */
function selfCommand(): string {
  const script = process.argv[1];
  if (!script || basename(script) === 'catalyst') return 'catalyst';
  const rel = relative(process.cwd(), script);
  const path = rel.startsWith('..') ? script : rel;
  return script.endsWith('.ts') ? `node --import tsx ${path}` : `node ${path}`;
}

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
    if (!Number.isFinite(every) || every < 1)
      throw new UsageError(`--every must be a number of seconds >= 1, got "${String(flags.every)}"`);
    // Listened for first: a Ctrl-C while starting still stops what started (and removes the store).
    const interrupted = new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    const ownDir = flags['data-dir'] === undefined;
    const dataDir = ownDir ? mkdtempSync(join(tmpdir(), 'catalyst-demo-')) : String(flags['data-dir']);
    // Everything started is stopped, last first, also when a later step fails (a port in use).
    const stops: (() => unknown)[] = [];
    if (ownDir) stops.push(() => rmSync(dataDir, { recursive: true, force: true }));
    try {
      const feeds = await FakeFeeds.start();
      stops.push(() => feeds.close());
      const llm = await new FakeLlm().start();
      stops.push(() => llm.close());
      const market = await new FakeMarketData().start();
      stops.push(() => market.close());
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
      try {
        await assertCanListen(config.host, config.port);
      } catch (err) {
        // The default port taken (say by a `catalyst serve` of the README's next section): the demo
        // prints its address, so any free port does. A port the user asked for is theirs to fix.
        if (flags.port !== undefined || process.env.PORT !== undefined) throw err;
        config.port = 0;
      }
      // Short intervals: a demo should move.
      for (const f of config.pipeline.feeds) f.intervalMs = 5_000;
      const { openCommandStore, startCatalyst } = await import('../main.js');
      const { createToken } = await import('../auth/tokens.js');
      const { createLogger } = await import('../observability/logger.js');
      const store = await openCommandStore(config);
      const name = `demo-${Date.now().toString(36)}`;
      const { token } = await createToken(store, name, ['admin']).finally(() => store.close());

      const node = await startCatalyst(config, {
        logger: createLogger({ level: flags.quiet ? 'error' : 'warn' }),
      }).catch((err: NodeJS.ErrnoException) => {
        throw listenError(err, config.host, config.port);
      });
      stops.push(() => node.close());
      const wsUrl = `${node.url.replace(/^http/, 'ws')}/ws`;
      process.stderr.write(
        [
          '',
          `Catalyst demo: a node at ${node.url} polling sample feeds on loopback (made-up companies).`,
          `  store:       ${dataDir}${ownDir ? ' (removed on exit)' : ''}`,
          `  console:     ${node.url}/console (sign in with the token below)`,
          `  token:       ${token}`,
          `  in another terminal (same directory):`,
          `    CATALYST_TOKEN=${token} ${selfCommand()} subscribe --server ${node.url} --min-confidence 0.7`,
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
      stops.push(async () => {
        await client.close();
        await printing;
      });
      const release = setInterval(() => {
        if (!feeds.publishNext()) clearInterval(release);
      }, every * 1000);
      stops.push(() => clearInterval(release));
      await interrupted;
      return 0;
    } finally {
      for (const stop of stops.reverse()) {
        try {
          await stop();
        } catch (err) {
          process.stderr.write(`catalyst demo: while stopping: ${(err as Error).message}\n`);
        }
      }
    }
  },
};
