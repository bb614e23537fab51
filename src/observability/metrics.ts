// Every Prometheus metric Catalyst exports, defined once. Each call to createMetrics builds its own
// Registry (never prom-client's global one), so tests and several app instances in one process do
// not collide. Names follow Prometheus conventions (prefix, `_total` on counters, base units in
// `_seconds` / `_bytes`) and pass `promtool check metrics` (test/observability/metrics.test.ts).
//
// Label values must stay bounded: routes are Fastify route patterns (never raw URLs), dependencies
// are the names known to the DependencyRegistry, reasons are protocol error codes.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsOptions {
  /** Prefix of Catalyst's own metrics; default `catalyst_`. */
  prefix?: string;
  /**
   * Also export prom-client's default process and Node.js metrics (default true). They keep their
   * standard unprefixed names (`process_cpu_seconds_total`, `nodejs_eventloop_lag_seconds`) so stock
   * dashboards and alerts work unchanged.
   */
  collectDefault?: boolean;
  /**
   * Read at each scrape: when the last good backup and restore drill finished (Unix seconds), as the
   * backup commands record them (src/store/backup/status.ts). Never recorded reads as 0.
   */
  backupStatus?: () => { backup_last_success?: number; restore_drill_last_success?: number };
}

/** Outcomes of one attempt through a Dependency, plus `fallback` for calls answered by the fallback. */
export const DEPENDENCY_OUTCOMES = ['success', 'failure', 'timeout', 'rejected', 'fallback'] as const;
export type DependencyOutcome = (typeof DEPENDENCY_OUTCOMES)[number];

/** Value of the breaker state gauge. */
export const BREAKER_STATE_VALUE = { closed: 0, half_open: 1, open: 2 } as const;
export type BreakerState = keyof typeof BREAKER_STATE_VALUE;

// Latency buckets for calls that should take milliseconds to seconds (HTTP, store, bus).
const FAST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
// Dependencies such as the LLM or feeds take seconds; a wider range keeps their tails visible.
const DEPENDENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createMetrics(opts: MetricsOptions = {}) {
  const p = opts.prefix ?? 'catalyst_';
  const registry = new Registry();
  if (opts.collectDefault !== false) {
    collectDefaultMetrics({ register: registry });
    // prom-client also exports these three as gauges ending in `_total`, which promtool rejects;
    // the same values stay available as nodejs_active_handles / _requests / _resources.
    for (const name of [
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_active_resources_total',
    ]) {
      registry.removeSingleMetric(name);
    }
  }
  const registers = [registry];

  const metrics = {
    registry,
    contentType: registry.contentType,

    // HTTP (REST API). `route` is the route pattern (`/signals/:seq`), `unmatched` for 404s.
    httpRequests: new Counter({
      name: `${p}http_requests_total`,
      help: 'HTTP requests answered, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status_code'] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: `${p}http_request_duration_seconds`,
      help: 'Time from receiving an HTTP request to sending its response.',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: FAST_BUCKETS,
      registers,
    }),

    // Publishing.
    signalsPublished: new Counter({
      name: `${p}signals_published_total`,
      help: 'Signals newly stored (a 201 to a publisher, or a pipeline publish).',
      registers,
    }),
    signalsDuplicate: new Counter({
      name: `${p}signals_duplicate_total`,
      help: 'Publishes of an id already stored with the same content (idempotent retries).',
      registers,
    }),
    signalsRejected: new Counter({
      name: `${p}signals_rejected_total`,
      help: 'Publishes not stored, by reason (a protocol error code such as invalid_request or unavailable).',
      labelNames: ['reason'] as const,
      registers,
    }),

    // WebSocket gateway.
    wsSessions: new Gauge({
      name: `${p}ws_sessions`,
      help: 'WebSocket sessions currently open on this node.',
      registers,
    }),
    wsConnects: new Counter({
      name: `${p}ws_connects_total`,
      help: 'WebSocket connections accepted (upgrade completed).',
      registers,
    }),
    wsDisconnects: new Counter({
      name: `${p}ws_disconnects_total`,
      help: 'WebSocket sessions closed, by close code (4408 slow consumer, 4429 rate limited, 1001 going away...).',
      labelNames: ['code'] as const,
      registers,
    }),
    wsMessagesSent: new Counter({
      name: `${p}ws_messages_sent_total`,
      help: 'Protocol messages written to WebSocket sessions (a batched frame counts each message).',
      labelNames: ['type'] as const,
      registers,
    }),
    wsSendBufferBytes: new Gauge({
      name: `${p}ws_send_buffer_bytes`,
      help: 'Bytes queued for sending across all WebSocket sessions on this node.',
      registers,
    }),
    wsSlowConsumerCloses: new Counter({
      name: `${p}ws_slow_consumer_closes_total`,
      help: 'Sessions closed with 4408 (slow consumer) because their send buffer passed the limit.',
      registers,
    }),
    publishToSendSeconds: new Histogram({
      name: `${p}publish_to_send_seconds`,
      help: 'Time from the store committing a signal to its frame being written to a live session.',
      buckets: FAST_BUCKETS,
      registers,
    }),
    replays: new Counter({
      name: `${p}replays_total`,
      help: 'Replays served (a subscribe with since_seq, or a gap read from the store), by kind.',
      labelNames: ['kind'] as const,
      registers,
    }),
    replayedSignals: new Counter({
      name: `${p}replayed_signals_total`,
      help: 'Signals sent to sessions from a replay rather than live.',
      registers,
    }),

    // Rate limiting.
    rateLimited: new Counter({
      name: `${p}rate_limited_total`,
      help: 'Requests, connects or messages refused by a rate limiter, by limiter.',
      labelNames: ['limiter'] as const,
      registers,
    }),
    tokenLookups: new Counter({
      name: `${p}token_lookups_total`,
      help: 'Token lookups that reached the store (the rest were answered from the token cache).',
      registers,
    }),

    // Dependencies (src/resilience). One series set per dependency name.
    dependencyCalls: new Counter({
      name: `${p}dependency_calls_total`,
      help: 'Attempts through a dependency wrapper by outcome; fallback counts calls answered by the fallback.',
      labelNames: ['dependency', 'outcome'] as const,
      registers,
    }),
    dependencyDuration: new Histogram({
      name: `${p}dependency_call_duration_seconds`,
      help: 'Duration of attempts that reached the dependency, by outcome (success, failure, timeout).',
      labelNames: ['dependency', 'outcome'] as const,
      buckets: DEPENDENCY_BUCKETS,
      registers,
    }),
    breakerState: new Gauge({
      name: `${p}dependency_breaker_state`,
      help: 'Circuit breaker state per dependency: 0 closed, 1 half-open, 2 open.',
      labelNames: ['dependency'] as const,
      registers,
    }),
    breakerTransitions: new Counter({
      name: `${p}dependency_breaker_transitions_total`,
      help: 'Circuit breaker state changes per dependency, by the state entered.',
      labelNames: ['dependency', 'to'] as const,
      registers,
    }),

    // Pipeline (src/pipeline). `feed` is a configured feed name; stages, decisions and reasons are fixed sets.
    pipelineItems: new Counter({
      name: `${p}pipeline_items_total`,
      help: 'News items by the stage that decided them, the decision (kept, dropped, stale, failed, waiting) and its reason.',
      // reason is one of the pipeline's fixed machine words (no_ticker, duplicate_story, ...), never free text.
      labelNames: ['stage', 'decision', 'reason'] as const,
      registers,
    }),
    feedPolls: new Counter({
      name: `${p}feed_polls_total`,
      help: 'Feed polls by outcome (ok, not_modified, error, blocked, truncated, too_large, skipped).',
      labelNames: ['feed', 'outcome'] as const,
      registers,
    }),
    feedLastSuccess: new Gauge({
      name: `${p}feed_last_success_timestamp_seconds`,
      help: 'Unix time of the last successful poll of each feed by this node (0: none yet).',
      labelNames: ['feed'] as const,
      registers,
    }),
    llmCalls: new Counter({
      name: `${p}llm_calls_total`,
      help: 'LLM classification calls by outcome (ok, error, timeout, invalid, rate_limited, rejected).',
      labelNames: ['outcome'] as const,
      registers,
    }),
    classifierFallback: new Counter({
      name: `${p}classifier_fallback_total`,
      help: 'Items decided by the keyword model because the configured LLM was open, throttled or failing.',
      registers,
    }),
    marketDataCache: new Counter({
      name: `${p}market_data_cache_total`,
      help: 'Market-data cache lookups by result (hit, miss, error).',
      labelNames: ['result'] as const,
      registers,
    }),
    pipelinePublishLatency: new Histogram({
      name: `${p}pipeline_publish_latency_seconds`,
      help: "Age of the news when its signal was stored: the item's published_at to the store's commit.",
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 21600, 86400],
      registers,
    }),

    // Backups (recorded by `catalyst backup` and `catalyst restore-drill`, read at scrape time).
    backupLastSuccess: new Gauge({
      name: `${p}backup_last_success_timestamp_seconds`,
      help: 'Unix time of the last backup that completed with its manifest; 0 if none is recorded.',
      registers,
      collect() {
        this.set(opts.backupStatus?.().backup_last_success ?? 0);
      },
    }),
    restoreDrillLastSuccess: new Gauge({
      name: `${p}restore_drill_last_success_timestamp_seconds`,
      help: 'Unix time of the last restore drill whose restored store matched its manifest; 0 if none.',
      registers,
      collect() {
        this.set(opts.backupStatus?.().restore_drill_last_success ?? 0);
      },
    }),

    /** The exposition text for `GET /metrics`; serve it with `contentType`. */
    metricsText: (): Promise<string> => registry.metrics(),
  };
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
