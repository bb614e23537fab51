// How every ioredis client in Catalyst is built, so that none of them can hang a request while Redis
// is away: ioredis's defaults queue commands offline without bound and retry each up to 20 times.
import { Redis, type RedisOptions } from 'ioredis';

/** Reconnect delay: 200 ms, 400 ms, ... capped at 2 s, plus up to 100 ms of jitter so nodes spread out. */
export function reconnectDelay(attempt: number): number {
  return Math.min(100 * 2 ** attempt, 2000) + Math.floor(Math.random() * 100);
}

/**
 * Options for `new Redis(redisOptions(url, name))`. A command issued while disconnected rejects at
 * once (no offline queue); one already sent when the connection drops is retried on at most one
 * reconnect. `name` appears in CLIENT LIST, so operators can tell Catalyst's connections apart.
 * `url` is redis://[user:password@]host[:port][/db], or rediss:// for TLS.
 */
export function redisOptions(url: string, name: string, overrides: Partial<RedisOptions> = {}): RedisOptions {
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new Error(`not a redis:// URL: ${u.protocol}`);
  const db = u.pathname.replace(/^\//, '');
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: Number(u.port || 6379),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: { servername: u.hostname } } : {}),
    connectionName: name.replace(/\s+/g, '-'),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: reconnectDelay,
    connectTimeout: 2000,
    // Finds a peer that vanished without closing the socket (a partition) without waiting hours.
    keepAlive: 10_000,
    ...overrides,
  };
}

/** Builds clients for one Redis server, each with its name and overrides (see RedisClientFactory). */
export function redisClients(url: string): (name: string, overrides?: Partial<RedisOptions>) => Redis {
  redisOptions(url, 'check'); // a bad URL fails here, at start, not on the first command
  return (name, overrides = {}) => new Redis(redisOptions(url, name, overrides));
}
