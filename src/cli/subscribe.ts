import { CatalystClient } from '../client/index.js';
import type { Command } from '../cli.js';
import { loadConfig } from '../config.js';
import { parseFilter } from '../domain/filter.js';
import { CLIENT_FLAGS, connectionHint, serverCa, serverUrl, token } from './endpoint.js';
import { UsageError } from './usage-error.js';

const list = (v: unknown) =>
  v === undefined
    ? undefined
    : String(v)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
const number = (name: string, v: unknown) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${v}"`);
  return n;
};

export const subscribeCommand: Command = {
  summary: 'print matching signals as JSON lines',
  usage: `Usage: catalyst subscribe [--min-confidence 0.7] [--tickers A,B] [--catalysts fda,merger]
                          [--sources S1,S2] [--min-score N] [--sentiment positive|negative]
                          [--since-seq N] [--ca FILE] [--server URL] [--token TOKEN]

Prints each matching signal as one JSON line on stdout; status goes to stderr. Reconnects by itself
and resumes from the last seq it printed, so nothing is missed or printed twice. Ctrl-C stops.`,
  settings: 'client',
  options: {
    ...CLIENT_FLAGS,
    'min-confidence': { type: 'string' },
    'min-score': { type: 'string' },
    tickers: { type: 'string' },
    catalysts: { type: 'string' },
    sources: { type: 'string' },
    sentiment: { type: 'string' },
    'since-seq': { type: 'string' },
  },
  async run(flags) {
    const config = loadConfig(flags);
    const filters = parseFilter(
      Object.fromEntries(
        Object.entries({
          min_confidence: number('min-confidence', flags['min-confidence']),
          min_score: number('min-score', flags['min-score']),
          tickers: list(flags.tickers),
          catalysts: list(flags.catalysts),
          sources: list(flags.sources),
          sentiment: flags.sentiment,
        }).filter(([, v]) => v !== undefined),
      ),
    );
    const since = number('since-seq', flags['since-seq']);
    const ca = serverCa(flags);
    const url = `${serverUrl(config, flags).replace(/^http/, 'ws')}/ws`;
    const client = new CatalystClient({
      url,
      token: token(flags),
      filters,
      ...(since !== undefined ? { position: { epoch: '', seq: since } } : {}),
      ...(ca ? { ca } : {}),
    });
    client.on('disconnected', (e) =>
      process.stderr.write(
        `disconnected (${e.code} ${e.reason})${e.code === 1006 ? `: ${connectionHint(e.reason)}` : ''}${e.willReconnect ? `, reconnecting in ${e.delayMs} ms` : ''}\n`,
      ),
    );
    // After a drop, say that it came back and from where, so a watcher knows nothing was skipped.
    let dropped = false;
    client.on('disconnected', () => (dropped = true));
    client.on('subscribed', (m) => {
      if (!dropped) return;
      dropped = false;
      const from = m.replay ? `after seq ${m.replay.from_seq - 1} (${m.replay.count} to replay)` : 'live';
      process.stderr.write(`reconnected; resumed ${from}\n`);
    });
    client.on('reset', (e) =>
      process.stderr.write(`position reset by the server: epoch ${e.epoch}, last seq ${e.last_seq}\n`),
    );
    const stop = () => void client.close();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      for await (const signal of client.signals()) process.stdout.write(`${JSON.stringify(signal)}\n`);
    } catch (err) {
      process.stderr.write(`subscription ended: ${(err as Error).message}\n`);
      return 1;
    }
    return 0;
  },
};
