// Reconnect delays: exponential with full jitter (AWS architecture blog, "Exponential Backoff And
// Jitter"), so that a node restart does not bring every client back in the same millisecond.

export interface BackoffOptions {
  /** Ceiling of the first delay. Default 250. */
  minDelayMs?: number;
  /** No delay exceeds this. Default 10000. */
  maxDelayMs?: number;
  /** Growth of the ceiling per failed attempt. Default 2. */
  factor?: number;
  /**
   * After 4429 (rate limited) or 1013 (try again later) the server asked for air: the delay is at
   * least half this and at most this (or the grown ceiling, if larger). Default 2000.
   */
  throttledMinDelayMs?: number;
  /** A connection that stayed subscribed this long resets the attempt count. Default 5000. */
  healthyAfterMs?: number;
}

export type BackoffKind = 'normal' | 'throttled';

export class Backoff {
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  readonly throttledMinDelayMs: number;
  readonly healthyAfterMs: number;
  private attempt = 0;

  /** `random` returns [0, 1); injectable so tests can pin the jitter. */
  constructor(
    opts: BackoffOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.minDelayMs = opts.minDelayMs ?? 250;
    this.maxDelayMs = Math.max(opts.maxDelayMs ?? 10_000, this.minDelayMs);
    this.factor = Math.max(opts.factor ?? 2, 1);
    this.throttledMinDelayMs = Math.min(opts.throttledMinDelayMs ?? 2000, this.maxDelayMs);
    this.healthyAfterMs = opts.healthyAfterMs ?? 5000;
  }

  /** Attempts made since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** The upper bound of the next delay of this kind, before jitter. */
  ceiling(kind: BackoffKind = 'normal'): number {
    const grown = Math.min(this.maxDelayMs, this.minDelayMs * this.factor ** this.attempt);
    return kind === 'throttled' ? Math.max(grown, this.throttledMinDelayMs) : grown;
  }

  /** The next delay; counts an attempt. Normal: uniform in [0, ceiling]; throttled: [ceiling/2, ceiling]. */
  next(kind: BackoffKind = 'normal'): number {
    const ceiling = this.ceiling(kind);
    const floor = kind === 'throttled' ? ceiling / 2 : 0;
    this.attempt++;
    return Math.round(floor + this.random() * (ceiling - floor));
  }

  reset(): void {
    this.attempt = 0;
  }
}
