// A Toxiproxy 2.12.0-compatible fault proxy, started in-process. The config file (populate format) is
// applied before the API listens, as Toxiproxy does; unlike Toxiproxy, failing to bind the API is an error
// rather than a server that runs without one.
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { resolveListen } from './address.js';
import { createApiServer } from './api/http-server.js';
import { decodePopulate } from './api/populate.js';
import { type Logger, createLogger } from './log.js';
import { renderMetrics } from './metrics.js';
import { ProxyRegistry } from './registry.js';
import { randomSeed } from './rng.js';

export interface FaultProxyOptions {
  host?: string;
  port?: number;
  /** Path of a JSON file in /populate format, loaded before the API listens. */
  config?: string;
  /** Seeds every random draw (toxicity, jitter, slicer), per proxy and connection. */
  seed?: number;
  /** trace|debug|info|warn|error|disabled; default LOG_LEVEL, else info. */
  logLevel?: string;
}

export interface RunningFaultProxy {
  host: string;
  port: number;
  url: string;
  seed: number;
  stop(): Promise<void>;
}

async function loadConfig(registry: ProxyRegistry, path: string, log: Logger): Promise<void> {
  try {
    const { done, error } = await registry.populate(decodePopulate(await readFile(path, 'utf8')));
    log.log('info', 'Populated proxies from config', { config: path, proxies: done.length });
    if (error) throw error;
  } catch (err) {
    log.log('error', 'Failed to populate proxies from config', { config: path, err: (err as Error).message });
  }
}

export async function startFaultProxy(opts: FaultProxyOptions = {}): Promise<RunningFaultProxy> {
  const log = createLogger(opts.logLevel ?? process.env.LOG_LEVEL);
  const seed = opts.seed ?? randomSeed();
  const registry = new ProxyRegistry({ seed, log });
  if (opts.config) await loadConfig(registry, opts.config, log);
  const where = await resolveListen(`${opts.host ?? '127.0.0.1'}:${opts.port ?? 8474}`);
  const server = createApiServer({ registry, metrics: () => renderMetrics(registry) }, log);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: where.host, port: where.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await registry.stopAll();
    throw err;
  }
  // After listening, an accept failure (EMFILE...) must be logged, not crash the host process.
  server.on('error', (err) => log.log('error', 'API server error', { err: err.message }));
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  log.log('info', 'Starting Toxiproxy HTTP server', { host: address, port, seed, version: '2.12.0' });
  let stopping: Promise<void> | undefined;
  return {
    host: address,
    port,
    url: `http://${host}:${port}`,
    seed,
    stop: () => {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await registry.stopAll();
        await closed;
        log.log('info', 'Shutdown complete');
      })();
      return stopping;
    },
  };
}
