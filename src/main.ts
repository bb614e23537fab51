// Composition root: config -> adapters -> roles. The only module that knows every adapter.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { adminRoutes } from './api/admin.js';
import { consoleRoutes } from './api/console.js';
import { apiDocs } from './api/docs.js';
import { healthRoutes } from './api/health.js';
import { metricsRoute, serveMetrics } from './api/metrics.js';
import { pipelineRoutes } from './api/pipeline.js';
import { readiness } from './api/readiness.js';
import { createApp } from './api/server.js';
import { signalRoutes } from './api/signals.js';
import type { Bus } from './bus/bus.js';
import { MemoryBus } from './bus/memory-bus.js';
import type { Config } from './config.js';
import { errorBody } from './domain/errors.js';
import type { Signal } from './domain/signal.js';
import { Gateway } from './gateway/gateway.js';
import { LiveFeed } from './gateway/live-feed.js';
import { gatewayTelemetry, pipelineTelemetry, publisherTelemetry } from './observability/bindings.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { flushSentry } from './observability/sentry.js';
import { Publisher } from './publish/publisher.js';
import { installClientLimits } from './api/client-limits.js';
import { DEFAULT_TOKEN_CACHE, TokenCache } from './auth/token-cache.js';
import { createRateLimits, rateLimitedError, type RateLimits } from './resilience/rate-limits.js';
import type { PipelineLedger } from './pipeline/ledger.js';
import type { Classifier, FeedSource, MarketData } from './pipeline/ports.js';
import type { PipelineRunner } from './pipeline/runner.js';
import type { RedisClientFactory } from './bus/redis/redis-streams-bus.js';
import { guardBus } from './resilience/guarded-bus.js';
import { guardLedger } from './resilience/guarded-ledger.js';
import { guardStore, type Store } from './resilience/guarded-store.js';
import { DependencyRegistry } from './resilience/registry.js';
import { readBackupStatus } from './store/backup/status.js';
import { SqliteStore } from './store/sqlite/sqlite-store.js';

export interface CatalystNode {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly port: number;
  readonly metricsPort: number | undefined;
  readonly epoch: string;
  readonly gateway: Gateway | undefined;
  /** Graceful: stop accepting, finish in-flight publishes, drain sessions (1001), close stores. */
  close(): Promise<void>;
}

type StoreConfig = Pick<Config, 'databaseUrl' | 'dataDir' | 'sqliteSync'>;

/**
 * The store every consumer gets: PostgreSQL when DATABASE_URL is set, else the embedded SQLite file,
 * wrapped once in the `store` dependency's guard. `serve` and every CLI command build it here.
 */
export async function openGuardedStore(
  config: StoreConfig,
  registry: DependencyRegistry,
): Promise<{ store: Store; ledger: PipelineLedger }> {
  let adapter: Store & { pipelineLedger(): PipelineLedger };
  if (config.databaseUrl) {
    // Loaded on demand: an embedded node should not pay for the pg driver at start.
    const { PostgresStore } = await import('./store/postgres/postgres-store.js');
    adapter = new PostgresStore({ url: config.databaseUrl, applicationName: 'catalyst' });
  } else adapter = new SqliteStore(join(config.dataDir, 'catalyst.db'), { sync: config.sqliteSync });
  const dep = registry.get('store');
  return { store: guardStore(adapter, dep), ledger: guardLedger(adapter.pipelineLedger(), dep) };
}

/**
 * For one-shot commands (tokens, migrate, backup): the same guarded store with a registry of its
 * own, migrated. A store that cannot be reached fails within its policy's timeout with the
 * dependency's message. Closing it also stops the breaker's timers.
 */
export async function openCommandStore(
  config: StoreConfig & Pick<Config, 'dependencyPolicies'>,
): Promise<Store> {
  const registry = new DependencyRegistry({
    metrics: createMetrics({ collectDefault: false }),
    logger: createLogger({ level: 'silent' }),
    policies: config.dependencyPolicies,
  });
  const { store } = await openGuardedStore(config, registry);
  const close = async () => {
    await store.close();
    registry.shutdown();
  };
  try {
    await store.migrate();
  } catch (err) {
    await close();
    throw err;
  }
  return { ...store, close };
}

/**
 * The bus and the rate limiters' Redis client; Redis modules load only when REDIS_URL is set. The
 * clients are built here (never by an adapter from a URL) so each has its own connection name.
 */
async function openRedisParts(
  config: Config,
  log: Logger,
  registry: DependencyRegistry,
): Promise<{ bus: Bus; limiterRedis?: import('ioredis').Redis; client?: RedisClientFactory }> {
  if (!config.redisUrl) return { bus: guardBus(new MemoryBus(), registry.get('bus')) };
  const [{ RedisStreamsBus }, { redisClients }] = await Promise.all([
    import('./bus/redis/redis-streams-bus.js'),
    import('./bus/redis/redis-options.js'),
  ]);
  const client = redisClients(config.redisUrl);
  const bus = new RedisStreamsBus({
    client,
    keyPrefix: config.redisKeyPrefix,
    commandTimeoutMs: registry.get('bus').policy.timeoutMs,
    logger: log,
  });
  // The per-command deadline is the limiter's own: a wedged Redis never holds a request longer.
  const limiterTimeoutMs = registry.get('redis').policy.timeoutMs;
  const limiterRedis = client('catalyst-rate-limits', { commandTimeout: limiterTimeoutMs });
  limiterRedis.on('error', (err) => log.debug({ err }, 'rate limit redis error'));
  // Counts taken while the shared client still connects go to the in-memory insurance and are
  // missing from the cluster's count: give it a moment before serving (only a moment: a Redis that
  // is down at start must not keep the node from starting).
  await readyWithin(limiterRedis, 2000);
  return { bus: guardBus(bus, registry.get('bus')), limiterRedis, client };
}

/** Delay drift between SEC requests the pacing absorbs (see startPipeline). */
const SEC_JITTER_SLACK_MS = 500;

/** Resolves when `client` is ready, or after `ms`, whichever comes first; never rejects. */
async function readyWithin(client: import('ioredis').Redis, ms: number): Promise<void> {
  if (client.status === 'ready') return;
  // Not events.once: it would reject on the client's 'error' (Redis down at start is allowed).
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    client.once('ready', done);
  });
}

/**
 * The pipeline role: feeds (one dependency per host; SEC's pacing shared through Redis when
 * configured), the LLM and market data behind their guards, the processor and the pollers.
 */
async function startPipeline(parts: {
  config: Config;
  registry: DependencyRegistry;
  ledger: PipelineLedger;
  publisher: Publisher;
  metrics: Metrics;
  log: Logger;
  redisClient?: RedisClientFactory;
}): Promise<PipelineRunner> {
  const { config, registry, ledger, publisher, metrics, log } = parts;
  const pc = config.pipeline;
  // Loaded here, not at the top: a node without feeds (most gateways) never pays for the pipeline's
  // modules (the XML parser, Bottleneck, ...): about 7 MB of RSS at start (bench/profiles/idle-memory.md).
  const [
    { FeedHttp },
    { LlmClassifier },
    { PolygonMarketData },
    { cachedMarketData },
    ttl,
    { ItemProcessor },
    { PipelineRunner },
    { SecTickers },
    { guardClassifier, guardFeedSource, guardMarketData },
    { sharedLimiter },
  ] = await Promise.all([
    import('./deps/feed-http.js'),
    import('./deps/llm.js'),
    import('./deps/market-data.js'),
    import('./deps/cached-market-data.js'),
    import('./deps/ttl-cache.js'),
    import('./pipeline/item-processor.js'),
    import('./pipeline/runner.js'),
    import('./pipeline/sec-tickers-source.js'),
    import('./resilience/guarded-pipeline.js'),
    import('./resilience/shared-limiter.js'),
  ]);
  const prefix = config.redisKeyPrefix;
  // A limit counted across machines is paced through Redis when there is one (Bottleneck's own
  // client: it queues while connecting; the dependency's deadline bounds the wait).
  const paced = (name: string, minTimeMs: number, maxConcurrent?: number) =>
    sharedLimiter({
      id: `${prefix}:limit:${name}`,
      minTimeMs,
      ...(maxConcurrent ? { maxConcurrent } : {}),
      ...(parts.redisClient
        ? { redis: parts.redisClient(`catalyst-limit-${name}`, { enableOfflineQueue: true }) }
        : {}),
    });
  const secHosts = new Set(pc.feeds.filter((f) => f.kind === 'sec_edgar').map((f) => new URL(f.url).host));
  if (pc.secTickersUrl && /^https?:/.test(pc.secTickersUrl)) secHosts.add(new URL(pc.secTickersUrl).host);
  // Spacing of exactly 1000/rate puts rate+1 starts exactly one second apart, so any delay between
  // a start and its arrival at SEC (an event-loop stall, a slower connection) lands rate+1 requests
  // in one of SEC's seconds. The slack keeps the rate SEC counts at or under the configured one
  // unless arrivals drift apart by more than SEC_JITTER_SLACK_MS (8/s is paced at 5.3/s; 250 ms
  // let a loaded machine's stalls land 9 in one second): SEC blocks an address for minutes over
  // its limit, while a poll needs only a few requests.
  const secLimiter =
    secHosts.size > 0 ? paced('sec', (1000 + SEC_JITTER_SLACK_MS) / pc.secRequestsPerSecond) : undefined;
  const depFor = (url: string) => {
    const host = new URL(url).host;
    return registry.get(`feed:${host}`, secHosts.has(host) && secLimiter ? { limiter: secLimiter } : {});
  };
  const sources = new Map(
    pc.feeds.map((f) => [
      f.name,
      guardFeedSource(new FeedHttp({ userAgent: pc.userAgent, maxBytes: f.maxBytes }), depFor),
    ]),
  );
  const tickersSource = guardFeedSource(
    new FeedHttp({ userAgent: pc.userAgent, maxBytes: 64 * 1024 * 1024 }),
    depFor,
  );
  const secTickers = new SecTickers(pc.secTickersUrl, tickersSource, log);

  let classifier: Classifier | undefined;
  if (pc.llm) {
    const policy = registry.policy('llm');
    const limiter = paced('llm', policy.limiter?.minTimeMs ?? 0, pc.llmConcurrency);
    classifier = guardClassifier(new LlmClassifier(pc.llm), registry.get('llm', { limiter }));
  }
  let marketData: MarketData | undefined;
  if (pc.marketData) {
    const policy = registry.policy('market_data');
    const limiter = paced('market_data', policy.limiter?.minTimeMs ?? 0, policy.limiter?.maxConcurrent);
    const inner = guardMarketData(
      new PolygonMarketData(pc.marketData),
      registry.get('market_data', { limiter }),
    );
    const cache = parts.redisClient
      ? new ttl.RedisTtlCache(parts.redisClient('catalyst-market-cache', {}), `${prefix}:md:`)
      : new ttl.MemoryTtlCache();
    marketData = cachedMarketData(inner, cache, {
      onLookup: (_kind, result) => metrics.marketDataCache.inc({ result }),
    });
  }
  const processor = new ItemProcessor({
    ledger,
    publish: (signals) => publisher.publish(signals),
    ...(classifier ? { classifier } : {}),
    ...(marketData ? { marketData } : {}),
    keywords: pc.keywords,
    maxItemAgeMs: pc.maxItemAgeMs,
    marketDataDeadlineMs: pc.marketDataDeadlineMs,
    events: pipelineTelemetry(metrics),
    log,
    // As many items judged at once as LLM calls may be in flight: the limiter is what bounds them.
    concurrency: pc.llmConcurrency,
  });
  const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  for (const f of pc.feeds) metrics.feedLastSuccess.set({ feed: f.name }, 0);
  const runner = new PipelineRunner({
    feeds: pc.feeds,
    processor,
    pollerDeps: (feed) => ({
      source: sources.get(feed.name) as FeedSource,
      ledger,
      secTickers,
      holder,
      leaseMs: pc.feedLeaseMs,
      log,
      breaker: () => depFor(feed.url).snapshot().state,
      onPoll: (name, outcome, at) => {
        metrics.feedPolls.inc({ feed: name, outcome });
        if (outcome === 'ok' || outcome === 'not_modified')
          metrics.feedLastSuccess.set({ feed: name }, at / 1000);
      },
    }),
  });
  runner.start();
  log.info(
    { feeds: pc.feeds.map((f) => f.name), llm: Boolean(classifier), market_data: Boolean(marketData) },
    'pipeline started',
  );
  return runner;
}

export async function startCatalyst(config: Config, opts: { logger?: Logger } = {}): Promise<CatalystNode> {
  const log = opts.logger ?? createLogger({ level: config.logLevel, base: { role: config.role } });
  const metrics = createMetrics({ backupStatus: () => readBackupStatus(config.backupStatusFile) });
  const registry = new DependencyRegistry({ metrics, logger: log, policies: config.dependencyPolicies });
  const { store, ledger } = await openGuardedStore(config, registry);
  await store.migrate();
  const epoch = await store.epoch();
  if ((await store.listTokens()).length === 0) {
    log.warn(
      'no API tokens yet: create one with `catalyst tokens create --name NAME --scope publish,subscribe`',
    );
  }
  const { bus, limiterRedis, client: redisClient } = await openRedisParts(config, log, registry);
  const limits: RateLimits = createRateLimits(config.rateLimits, {
    redis: limiterRedis && { client: limiterRedis, dependency: registry.get('redis') },
    keyPrefix: `${config.redisKeyPrefix}:rl:`,
    metrics,
    logger: log,
  });
  const publisher = new Publisher(store, bus, publisherTelemetry(metrics, log));
  // Every consumer that checks a token goes through the cache (revocations reach it within 1 s).
  let gateway: Gateway | undefined;
  const tokens = new TokenCache(store, {
    ...DEFAULT_TOKEN_CACHE,
    pollMs: config.gateway.revocationPollMs,
    onLookup: () => metrics.tokenLookups.inc(),
    onRevoked: (hashes) => hashes.forEach((h) => gateway?.revoke(h)),
    onPollError: (err) => log.debug({ err }, 'token revocation poll failed'),
  });
  tokens.start();

  const app = await createApp({ config, logger: log, metrics });
  // Before every route: the OpenAPI document is collected as routes are added.
  await app.register(apiDocs, { secure: config.tls !== undefined });
  await app.register(consoleRoutes);
  // Shutdown stops accepting first: new requests and WebSocket upgrades get 503 (retry on another
  // node) while in-flight publishes finish and sessions drain; liveness and metrics still answer,
  // readiness says unavailable so load balancers stop routing here.
  let shuttingDown = false;
  app.addHook('onRequest', async (req, reply) => {
    if (!shuttingDown || req.url.startsWith('/health/') || req.url.startsWith('/metrics')) return;
    return reply
      .code(503)
      .header('retry-after', '1')
      .header('connection', 'close')
      .send(errorBody('unavailable', 'the server is shutting down; retry on another node'));
  });
  installClientLimits(app, {
    authFailures: limits.authFailuresPerAddress,
    upgrades: limits.wsConnectsPerIp,
    unauthenticated: {
      count: (address) => gateway?.unauthenticated(address) ?? 0,
      max: config.gateway.maxUnauthenticatedPerAddress,
    },
  });
  const serves = (role: string) => config.role === 'all' || config.role === role;

  let feed: LiveFeed | undefined;
  if (serves('gateway')) {
    feed = new LiveFeed(store, bus, (s: Signal) => gateway?.dispatch(s), {
      catchUpMs: config.gateway.catchUpMs,
      pageSize: config.gateway.replayPageSize,
      onError: (err) => log.warn({ err }, 'live feed could not read the store; retrying'),
      onGapRepaired: (count) => {
        metrics.replays.inc({ kind: 'gap' });
        log.debug({ count }, 'live feed read signals the bus did not bring');
      },
    });
    gateway = new Gateway({
      config: config.gateway,
      store,
      tokens,
      feed,
      epoch,
      log,
      events: gatewayTelemetry(metrics, log),
      limits: {
        connect: async (principal) => (await limits.wsConnectsPerToken.consume(principal.name)).allowed,
        message: async (sessionId, count) =>
          (await limits.wsMessagesPerSession.consume(sessionId, count)).allowed,
        authFailed: async (address) => void (await limits.authFailuresPerAddress.consume(address)),
      },
    });
    await feed.start();
    gateway.start();
    gateway.register(app);
  }

  const ready = async () => {
    const r = await readiness({ role: config.role, store, bus, dependencies: () => registry.snapshot() });
    return shuttingDown ? { ...r, status: 'unavailable' as const } : r;
  };
  await app.register(healthRoutes, { ready });
  const scrape = () => {
    metrics.wsSendBufferBytes.set(gateway?.bufferedBytes() ?? 0);
    return metrics.metricsText();
  };
  if (config.metricsPort === undefined)
    await app.register(metricsRoute, { scrape, contentType: metrics.contentType });
  if (serves('api')) {
    await app.register(signalRoutes, {
      config: config.api,
      store,
      tokens,
      publisher,
      limit: async (limiter: 'publish' | 'read', key: string, points: number) => {
        const l = limiter === 'publish' ? limits.publishPerToken : limits.restReadsPerToken;
        const r = await l.consume(key, points);
        if (!r.allowed) throw rateLimitedError(r);
      },
    });
  }
  await app.register(pipelineRoutes, {
    tokens,
    ledger,
    configured: () => config.pipeline.feeds.map(({ name, kind, url }) => ({ name, kind, url })),
  });
  const pipeline =
    serves('pipeline') && config.pipeline.feeds.length > 0
      ? await startPipeline({
          config,
          registry,
          ledger,
          publisher,
          metrics,
          log,
          ...(redisClient ? { redisClient } : {}),
        })
      : undefined;
  await app.register(adminRoutes, {
    tokens,
    dependencies: () => registry.snapshot(),
    onRevoked: (name: string) => gateway?.revokeName(name),
  });

  await app.listen({ host: config.host, port: config.port });
  const port = (app.server.address() as AddressInfo).port;
  let opsServer: Server | undefined;
  if (config.metricsPort !== undefined) {
    opsServer = createServer(serveMetrics(scrape, metrics.contentType));
    await new Promise<void>((resolve) => opsServer?.listen(config.metricsPort, config.host, resolve));
  }
  const metricsPort = opsServer ? (opsServer.address() as AddressInfo).port : undefined;
  const scheme = config.tls ? 'https' : 'http';
  const url = `${scheme}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info(
    // `role` is already on every line (the logger's base).
    { url, metrics_port: metricsPort, store: store.kind, bus: bus.kind, epoch },
    'catalyst listening',
  );

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      shuttingDown = true;
      log.info('shutting down: finishing publishes, draining sessions');
      await pipeline?.stop();
      await publisher.idle();
      await gateway?.drain(config.shutdownGraceMs);
      await app.close();
      await new Promise((resolve) => (opsServer ? opsServer.close(resolve) : resolve(undefined)));
      feed?.stop();
      tokens.stop();
      await bus.close();
      limiterRedis?.disconnect();
      await store.close();
      registry.shutdown();
      await flushSentry(2000);
      log.info('shut down');
    })());

  return { app, url, port, metricsPort, epoch, gateway, close };
}
