import type { Command } from '../cli.js';

export const faultProxyCommand: Command = {
  summary: 'run the Toxiproxy-compatible fault proxy',
  usage: `Usage: catalyst fault-proxy [--host 127.0.0.1] [--port 8474] [--config FILE] [--seed N]

Runs Catalyst's fault proxy, which speaks the Toxiproxy 2.12.0 HTTP API (see chaos/fault-proxy/README.md).`,
  options: {
    config: { type: 'string' },
    seed: { type: 'string' },
  },
  async run(flags) {
    const { runFaultProxyCli } = await import('../../chaos/fault-proxy/src/cli.js');
    const argv: string[] = [];
    for (const k of ['host', 'port', 'config', 'seed'])
      if (flags[k] !== undefined) argv.push(`--${k}`, String(flags[k]));
    await runFaultProxyCli(argv);
    return 0;
  },
};
