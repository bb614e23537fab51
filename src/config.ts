// One typed, validated configuration from flags and env (flags win). Every command reads it the same
// way, so `--data-dir` picks the store for serve, tokens and migrate alike. Embedded defaults: a
// SQLite file under the data directory, the in-process bus, port 8000.
import { join, resolve } from 'node:path';
import { parsePolicyEnv } from './config/dependency-policies.js';
import { ConfigError } from './config/error.js';
import { parsePipelineConfig, type PipelineConfig } from './config/pipeline.js';
import { parseRateLimitEnv } from './config/rate-limits.js';
import { parseTrustedProxies, TRUSTED_PROXIES_ENV } from './config/trusted-proxies.js';
import { type DependencyPolicyOverride } from './resilience/policy.js';
import { DEFAULT_RATE_LIMITS, type RateLimitConfig } from './resilience/rate-limits.js';

export { ConfigError } from './config/error.js';

export type Role = 'all' | 'api' | 'gateway' | 'pipeline';
export const ROLES: readonly Role[] = ['all', 'api', 'gateway', 'pipeline'];

export interface Config {
  role: Role;
  host: string;
  port: number;
  dataDir: string;
  /** PostgreSQL when set, else SQLite at `${dataDir}/catalyst.db`. */
  databaseUrl: string | undefined;
  /** Redis Streams bus and Redis rate limits when set, else in-process. */
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  tls: { cert: string; key: string } | undefined;
  logLevel: string;
  sentryDsn: string | undefined;
  /** Serve /metrics on this separate port too (and keep it off the public one when set). */
  metricsPort: number | undefined;
  shutdownGraceMs: number;
  /** Where backup and restore-drill commands record their last success, read at each /metrics scrape. */
  backupStatusFile: string;
  /** `durable` fsyncs every commit (a 2xx survives power loss); `fast` survives a process crash only. */
  sqliteSync: 'durable' | 'fast';
  /** Per-dependency overrides of the resilience defaults (CATALYST_DEP_<NAME>_...). */
  dependencyPolicies: Record<string, DependencyPolicyOverride>;
  /** CATALYST_RATE_... */
  rateLimits: RateLimitConfig;
  /** Feeds, SEC, LLM, market data (config/pipeline.ts); used by the `pipeline` role. */
  pipeline: PipelineConfig;
  /** Peers (IPs, CIDRs) whose X-Forwarded-For names the client; empty: the peer is the client. */
  trustedProxies: string[];
  api: {
    bodyLimitBytes: number;
    batchBodyLimitBytes: number;
    maxBatch: number;
  };
  /** Slow or idle clients: none of them may hold a socket longer than these. */
  http: {
    /** A whole request, headers and body, must arrive within this (else 408). */
    requestTimeoutMs: number;
    /** The headers must arrive within this (else 408). */
    headersTimeoutMs: number;
    /** An idle keep-alive connection is closed after this. */
    keepAliveTimeoutMs: number;
  };
  gateway: {
    authTimeoutMs: number;
    heartbeatMs: number;
    /** A session whose unsent bytes pass this is closed 4408 (invariant 4). */
    sendBufferBytes: number;
    maxFrameBytes: number;
    /** Consecutive bad messages before closing 4400. */
    maxBadMessages: number;
    /** How often revocations are read from the store (token cache and sessions); keep it under 1 s. */
    revocationPollMs: number;
    /** How often the live feed checks the store for signals the bus did not bring. */
    catchUpMs: number;
    replayPageSize: number;
    /** WebSocket connections of one client address that have not authenticated yet, at most. */
    maxUnauthenticatedPerAddress: number;
  };
}

type Env = Record<string, string | undefined>;
export type Flags = Record<string, string | boolean | undefined>;

interface Source {
  flags: Flags;
  env: Env;
}

/** Reads a setting: flag first, then env; returns [value, where it came from] for error messages. */
function pick(src: Source, flag: string | undefined, env: string | undefined): [string, string] | undefined {
  if (flag !== undefined) {
    const v = src.flags[flag];
    if (v !== undefined && v !== false) return [String(v), `--${flag}`];
  }
  if (env !== undefined) {
    const v = src.env[env];
    if (v !== undefined && v !== '') return [v, env];
  }
  return undefined;
}

function integer(
  src: Source,
  flag: string | undefined,
  env: string,
  def: number,
  min: number,
  max: number,
): number {
  const got = pick(src, flag, env);
  if (!got) return def;
  const [raw, name] = got;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function url(src: Source, flag: string | undefined, env: string, protocols: string[]): string | undefined {
  const got = pick(src, flag, env);
  if (!got) return undefined;
  const [raw, name] = got;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL such as ${protocols[0]}//host:port, got "${redact(raw)}"`);
  }
  if (!protocols.includes(u.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')}, got "${u.protocol}"`);
  }
  return raw;
}

/** Never echo a password back into logs or terminals. */
function redact(raw: string): string {
  return raw.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

export function loadConfig(flags: Flags = {}, env: Env = process.env): Config {
  const src = { flags, env };
  const role = (pick(src, 'role', 'CATALYST_ROLE')?.[0] ?? 'all') as Role;
  if (!ROLES.includes(role)) throw new ConfigError(`role must be one of ${ROLES.join(', ')}, got "${role}"`);
  const cert = pick(src, 'tls-cert', 'CATALYST_TLS_CERT')?.[0];
  const key = pick(src, 'tls-key', 'CATALYST_TLS_KEY')?.[0];
  if ((cert === undefined) !== (key === undefined)) {
    throw new ConfigError('TLS needs both --tls-cert/CATALYST_TLS_CERT and --tls-key/CATALYST_TLS_KEY');
  }
  const logLevel = pick(src, 'log-level', 'LOG_LEVEL')?.[0] ?? 'info';
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!levels.includes(logLevel))
    throw new ConfigError(`LOG_LEVEL must be one of ${levels.join(', ')}, got "${logLevel}"`);
  const sqliteSync = pick(src, undefined, 'CATALYST_SQLITE_SYNC')?.[0] ?? 'durable';
  if (sqliteSync !== 'durable' && sqliteSync !== 'fast') {
    throw new ConfigError(`CATALYST_SQLITE_SYNC must be durable or fast, got "${sqliteSync}"`);
  }
  const dependencyPolicies: Record<string, DependencyPolicyOverride> = parsePolicyEnv(env);
  const rateLimits: RateLimitConfig = { ...DEFAULT_RATE_LIMITS, ...parseRateLimitEnv(env) };
  const metricsPortRaw = pick(src, 'metrics-port', 'CATALYST_METRICS_PORT');
  const dataDir = resolve(pick(src, 'data-dir', 'CATALYST_DATA_DIR')?.[0] ?? 'data');
  return {
    role,
    host: pick(src, 'host', 'HOST')?.[0] ?? '127.0.0.1',
    port: integer(src, 'port', 'PORT', 8000, 0, 65535),
    dataDir,
    databaseUrl: url(src, 'database-url', 'DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url(src, 'redis-url', 'REDIS_URL', ['redis:', 'rediss:']),
    redisKeyPrefix: pick(src, undefined, 'CATALYST_REDIS_PREFIX')?.[0] ?? 'catalyst',
    tls: cert !== undefined && key !== undefined ? { cert, key } : undefined,
    logLevel,
    sentryDsn: url(src, undefined, 'SENTRY_DSN', ['http:', 'https:']),
    metricsPort: metricsPortRaw
      ? integer(src, 'metrics-port', 'CATALYST_METRICS_PORT', 0, 0, 65535)
      : undefined,
    shutdownGraceMs: integer(src, undefined, 'CATALYST_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    backupStatusFile: resolve(
      pick(src, undefined, 'CATALYST_BACKUP_STATUS_FILE')?.[0] ?? join(dataDir, 'backup-status.json'),
    ),
    sqliteSync,
    dependencyPolicies,
    rateLimits,
    pipeline: parsePipelineConfig(env),
    trustedProxies: parseTrustedProxies(pick(src, undefined, TRUSTED_PROXIES_ENV)?.[0]),
    http: httpTimeouts(src),
    api: {
      bodyLimitBytes: integer(src, undefined, 'CATALYST_BODY_LIMIT_BYTES', 64 * 1024, 1024, 64 * 1024 * 1024),
      batchBodyLimitBytes: integer(
        src,
        undefined,
        'CATALYST_BATCH_BODY_LIMIT_BYTES',
        16 * 1024 * 1024,
        1024,
        256 * 1024 * 1024,
      ),
      maxBatch: integer(src, undefined, 'CATALYST_MAX_BATCH', 1000, 1, 1000),
    },
    gateway: {
      authTimeoutMs: integer(src, undefined, 'CATALYST_AUTH_TIMEOUT_MS', 5000, 100, 60_000),
      heartbeatMs: integer(src, undefined, 'CATALYST_HEARTBEAT_MS', 15_000, 100, 300_000),
      sendBufferBytes: integer(
        src,
        undefined,
        'CATALYST_SEND_BUFFER_BYTES',
        1024 * 1024,
        16 * 1024,
        1024 * 1024 * 1024,
      ),
      maxFrameBytes: integer(src, undefined, 'CATALYST_MAX_FRAME_BYTES', 64 * 1024, 1024, 16 * 1024 * 1024),
      maxBadMessages: integer(src, undefined, 'CATALYST_MAX_BAD_MESSAGES', 10, 1, 1000),
      revocationPollMs: integer(src, undefined, 'CATALYST_REVOCATION_POLL_MS', 500, 50, 60_000),
      catchUpMs: integer(src, undefined, 'CATALYST_CATCH_UP_MS', 1000, 50, 60_000),
      replayPageSize: integer(src, undefined, 'CATALYST_REPLAY_PAGE_SIZE', 500, 1, 1000),
      maxUnauthenticatedPerAddress: integer(
        src,
        undefined,
        'CATALYST_MAX_UNAUTHENTICATED_PER_ADDRESS',
        20,
        1,
        100_000,
      ),
    },
  };
}

function httpTimeouts(src: Source): Config['http'] {
  const requestTimeoutMs = integer(src, undefined, 'CATALYST_REQUEST_TIMEOUT_MS', 30_000, 100, 600_000);
  const headersTimeoutMs = integer(src, undefined, 'CATALYST_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000);
  // Node refuses a headers timeout longer than the request's: say so in the operator's terms.
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(
      `CATALYST_HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed CATALYST_REQUEST_TIMEOUT_MS (${requestTimeoutMs})`,
    );
  }
  return {
    requestTimeoutMs,
    headersTimeoutMs,
    keepAliveTimeoutMs: integer(src, undefined, 'CATALYST_KEEP_ALIVE_TIMEOUT_MS', 5000, 100, 600_000),
  };
}
