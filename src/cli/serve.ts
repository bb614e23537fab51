import type { Command } from '../cli.js';
import { loadConfig } from '../config.js';
import { assertCanListen, listenError } from './port-check.js';

export const serveCommand: Command = {
  summary: 'start a Catalyst node',
  usage: `Usage: catalyst serve [--port N] [--host ADDR] [--data-dir DIR] [--role all|api|gateway|pipeline]

Starts a node. On embedded defaults (no DATABASE_URL, no REDIS_URL) it needs nothing else: a SQLite
store under the data directory and an in-process bus. SIGTERM/SIGINT drain it gracefully (WebSocket
clients get 1001 and resume elsewhere); a second signal forces exit.`,
  options: {},
  async run(flags) {
    const config = loadConfig(flags);
    if (config.sentryDsn) {
      // Sentry must hook in before Fastify is loaded, hence the dynamic import of main below.
      const { initSentry } = await import('../observability/sentry.js');
      await initSentry({ dsn: config.sentryDsn });
    }
    await assertCanListen(config.host, config.port);
    const { startCatalyst } = await import('../main.js');
    const node = await startCatalyst(config).catch((err: NodeJS.ErrnoException) => {
      // The port may have been taken between the check and the listen.
      throw listenError(err, config.host, config.port);
    });
    await new Promise<void>((resolve) => {
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        signals += 1;
        if (signals > 1) {
          process.stderr.write(`catalyst: second ${sig}, exiting now\n`);
          process.exit(1);
        }
        node.close().then(resolve, (err) => {
          process.stderr.write(`catalyst: shutdown failed: ${(err as Error).stack}\n`);
          process.exit(1);
        });
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
    return 0;
  },
};
