// `catalyst fault-proxy --host 127.0.0.1 --port 8474 [--config FILE] [--seed N]`. Toxiproxy's one-dash
// spellings (-host=0.0.0.0, as in its Docker image) are accepted too, so existing scripts carry over.
import { parseArgs } from 'node:util';
import { VERSION } from './api/admin.js';
import { startFaultProxy } from './index.js';

const USAGE = `Usage: catalyst fault-proxy [--host HOST] [--port PORT] [--config FILE] [--seed N]

A Toxiproxy ${VERSION}-compatible fault proxy (HTTP API on HOST:PORT).
  --host HOST     API address (default localhost, bound on 127.0.0.1)
  --port PORT     API port (default 8474; 0 picks a free one)
  --config FILE   JSON array of proxies in /populate format, applied before the API starts
  --seed N        seed for every random draw (toxicity, jitter, slicer)
  --version       print the version
  --help          this text
Environment: LOG_LEVEL=trace|debug|info|warn|error|disabled (default info)`;

const LONG = new Set([
  'host',
  'port',
  'config',
  'seed',
  'help',
  'version',
  'proxy-metrics',
  'runtime-metrics',
]);

function normalise(argv: string[]): string[] {
  return argv.map((a) => {
    const m = /^-([a-z-]+)(=.*)?$/.exec(a);
    return m && LONG.has(m[1] as string) ? `-${a}` : a;
  });
}

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`--${name} must be a non-negative integer, got ${value}`);
  return n;
}

export async function runFaultProxyCli(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: normalise(argv),
    options: {
      host: { type: 'string', default: 'localhost' },
      port: { type: 'string', default: '8474' },
      config: { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
      // Accepted for Toxiproxy scripts; /metrics is always served here.
      'proxy-metrics': { type: 'boolean' },
      'runtime-metrics': { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (values.version) {
    process.stdout.write(`toxiproxy-server version ${VERSION} (catalyst fault-proxy)\n`);
    return;
  }
  const running = await startFaultProxy({
    host: values.host,
    port: integer('port', values.port, 8474),
    seed: values.seed === undefined ? undefined : integer('seed', values.seed, 0),
    ...(values.config ? { config: values.config } : {}),
  });
  process.stdout.write(`${JSON.stringify({ listening: running.url, seed: running.seed })}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void running.stop().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
