import type { Command } from '../cli.js';
import { CommandError } from './command-error.js';
import { UsageError } from './usage-error.js';

// The fault proxy is a program of its own (chaos/fault-proxy): its flags, defaults and --help are
// its own, passed through untouched, not serve's.
export const faultProxyCommand: Command = {
  summary: 'run the Toxiproxy-compatible fault proxy',
  usage:
    'Usage: catalyst fault-proxy [--host HOST] [--port PORT] [--config FILE] [--seed N] (--help for more)',
  settings: 'none',
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    config: { type: 'string' },
    seed: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean' },
  },
  async run(flags) {
    const { runFaultProxyCli } = await import('../../chaos/fault-proxy/src/cli.js');
    const argv: string[] = [];
    for (const k of ['host', 'port', 'config', 'seed'])
      if (flags[k] !== undefined) argv.push(`--${k}`, String(flags[k]));
    for (const k of ['help', 'version']) if (flags[k]) argv.push(`--${k}`);
    try {
      await runFaultProxyCli(argv);
    } catch (err) {
      const { code, message } = err as NodeJS.ErrnoException;
      // Its own checks of --port and --seed, and the listen that fails: the user's to fix.
      if (/^--(port|seed) /.test(message)) throw new UsageError(message);
      if (code === 'EADDRINUSE')
        throw new CommandError(`${message}: pick another port with --port (0 picks a free one)`);
      throw err;
    }
    return 0;
  },
};
