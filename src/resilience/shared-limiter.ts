// Outbound pacing shared by every node through Redis (Bottleneck's clustering), for limits an
// outside service counts per user across all machines: SEC's fair-access rate above all, and the
// LLM's and market-data API's plan limits. Without Redis the same pacing holds per process.
import Bottleneck from 'bottleneck';
import type { Redis } from 'ioredis';

export interface SharedLimiterOptions {
  /** Unique per deployment and limit: Redis keys are `b_<id>_...`. */
  id: string;
  minTimeMs: number;
  maxConcurrent?: number;
  /**
   * A client for Bottleneck alone (it duplicates it for its subscriber). It must queue commands
   * while connecting; the caller's deadline bounds any wait when Redis is gone.
   */
  redis?: Redis;
}

export function sharedLimiter(opts: SharedLimiterOptions): Bottleneck {
  // Whole milliseconds, rounded up: Bottleneck's Redis scripts answer "value is not an integer" to
  // a fractional time once jobs queue, and the limiter then never grants a slot (1000/7 ms).
  const settings = { minTime: Math.ceil(opts.minTimeMs), maxConcurrent: opts.maxConcurrent ?? null };
  if (!opts.redis) return new Bottleneck(settings);
  const connection = new Bottleneck.IORedisConnection({ client: opts.redis });
  const limiter = new Bottleneck({
    ...settings,
    id: opts.id,
    datastore: 'ioredis',
    // Other nodes share these keys: a starting node must not reset their count.
    clearDatastore: false,
    connection,
    // Keys of a deployment that stops expire by themselves.
    timeout: 10 * 60_000,
  });
  limiter.on('error', () => undefined); // Redis errors surface as the caller's timeout
  // Bottleneck leaves a connection it was given open on disconnect() (and, despite its types,
  // returns no promise then); this one is the limiter's alone, and its two Redis sockets would keep
  // a stopped node's process from exiting.
  const disconnect = limiter.disconnect.bind(limiter);
  limiter.disconnect = async (flush?: boolean) => {
    await Promise.resolve(disconnect(flush)).catch(() => undefined);
    await connection.disconnect(flush);
  };
  return limiter;
}
