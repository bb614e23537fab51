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
  // Whole milliseconds, rounded up: Bottleneck's Redis scripts expire keys with PEXPIRE, which
  // refuses a fractional time, and the limiter then never grants a slot (1000/7 = 142.86 ms).
  const settings = { minTime: Math.ceil(opts.minTimeMs), maxConcurrent: opts.maxConcurrent ?? null };
  if (!opts.redis) return new Bottleneck(settings);
  const limiter = new Bottleneck({
    ...settings,
    id: opts.id,
    datastore: 'ioredis',
    // Other nodes share these keys: a starting node must not reset their count.
    clearDatastore: false,
    connection: new Bottleneck.IORedisConnection({ client: opts.redis }),
    // Keys of a deployment that stops expire by themselves.
    timeout: 10 * 60_000,
  });
  limiter.on('error', () => undefined); // Redis errors surface as the caller's timeout
  return limiter;
}
