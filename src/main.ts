// Composition root: config -> adapters -> roles. The only module that knows every adapter.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { adminRoutes } from './api/admin.js';
import { type Readiness, healthRoutes } from './api/health.js';
import { createApp } from './api/server.js';
import { signalRoutes } from './api/signals.js';
import type { Bus } from './bus/bus.js';
import { MemoryBus } from './bus/memory-bus.js';
import type { Config } from './config.js';
import { Gateway } from './gateway/gateway.js';
import { LiveFeed } from './gateway/live-feed.js';
import { Publisher } from './publish/publisher.js';
import type { Guard } from './resilience/guard.js';
import { timeoutGuard } from './resilience/timeout-guard.js';
import type { EventStore } from './store/event-store.js';
import { openStore } from './store/open-store.js';
import type { TokenStore } from './store/token-store.js';

export interface CatalystNode {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly port: number;
  readonly epoch: string;
  readonly gateway: Gateway | undefined;
  /** Graceful: stop accepting, finish in-flight publishes, drain sessions (1001), close stores. */
  close(): Promise<void>;
}

export function createLogger(config: Config): Logger {
  return pino({ level: config.logLevel, base: { service: 'catalyst' } });
}

export async function openBus(_config: Config): Promise<Bus> {
  return new MemoryBus();
}

export async function startCatalyst(config: Config, opts: { logger?: Logger } = {}): Promise<CatalystNode> {
  const log = opts.logger ?? createLogger(config);
  const store: EventStore & TokenStore = await openStore(config);
  await store.migrate();
  const epoch = await store.epoch();
  const bus = await openBus(config);
  const storeGuard: Guard = timeoutGuard('store', 5000);
  const busGuard: Guard = timeoutGuard('bus', 2000);
  const publisher = new Publisher(store, storeGuard, bus, busGuard, {
    onBusError: (err) => log.warn({ err }, 'bus publish failed; gateways will read the gap from the store'),
  });

  const app = await createApp({ config, logger: log });
  const serves = (role: string) => config.role === 'all' || config.role === role;

  let gateway: Gateway | undefined;
  let feed: LiveFeed | undefined;
  if (serves('gateway')) {
    const deliver = (s: import('./domain/signal.js').Signal) => gateway?.dispatch(s);
    feed = new LiveFeed(store, storeGuard, bus, deliver, {
      catchUpMs: config.gateway.catchUpMs,
      pageSize: config.gateway.replayPageSize,
      onError: (err) => log.warn({ err }, 'live feed could not read the store; retrying'),
    });
    gateway = new Gateway({ config: config.gateway, store, tokens: store, storeGuard, feed, epoch, log });
    await feed.start();
    gateway.start();
    gateway.register(app);
  }

  const ready = async (): Promise<Readiness> => {
    const t0 = performance.now();
    let storeOk = true;
    let error: string | undefined;
    try {
      await storeGuard.call((s) => store.ping(s), { idempotent: true });
    } catch (err) {
      storeOk = false;
      error = (err as Error).message;
    }
    const latency = Math.round((performance.now() - t0) * 10) / 10;
    const busOk = bus.healthy();
    const status = !storeOk ? 'unavailable' : busOk ? 'ok' : 'degraded';
    return {
      status,
      role: config.role,
      dependencies: {
        store: { state: storeOk ? 'ok' : 'down', breaker: 'none', latency_ms: latency, required: true, ...(error ? { error } : {}) },
        bus: { state: busOk ? 'ok' : 'degraded', breaker: 'none', latency_ms: null, required: false },
      },
    };
  };
  await app.register(healthRoutes, { ready });
  if (serves('api')) {
    await app.register(signalRoutes, { config: config.api, store, tokens: store, storeGuard, publisher });
  }
  await app.register(adminRoutes, {
    tokens: store,
    storeGuard,
    dependencies: () => ({}),
    onRevoked: (name: string) => gateway?.revokeName(name),
  });

  await app.listen({ host: config.host, port: config.port });
  const port = (app.server.address() as AddressInfo).port;
  const scheme = config.tls ? 'https' : 'http';
  const url = `${scheme}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info({ url, role: config.role, store: store.kind, bus: bus.kind, epoch }, 'catalyst listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      log.info('shutting down: finishing publishes, draining sessions');
      await publisher.idle();
      await gateway?.drain(config.shutdownGraceMs);
      await app.close();
      feed?.stop();
      await bus.close();
      await store.close();
      log.info('shut down');
    })());

  return { app, url, port, epoch, gateway, close };
}
