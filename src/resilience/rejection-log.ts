// Sampled logging of rate-limit rejections: one line when a burst starts, at most one summary line
// per interval while it lasts, and one when a quiet interval ends it; never one line per rejected
// request (a flood of 429s must not become a flood of log lines). Keys are logged, so limiters
// must be keyed by ids (token id, IP, session id), never by a secret.
import type { Logger } from '../observability/logger.js';

export class RejectionLog {
  private rejected = 0;
  private readonly keys = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private burst = { rejected: 0, startedAt: 0 };

  constructor(
    private readonly logger: Logger,
    private readonly limiter: string,
    private readonly intervalMs = 10_000,
  ) {}

  note(key: string): void {
    this.burst.rejected++;
    if (!this.timer) {
      this.burst = { rejected: 1, startedAt: Date.now() };
      this.logger.warn({ limiter: this.limiter, key }, `rate limit ${this.limiter}: rejecting`);
      this.timer = setInterval(() => this.flush(), this.intervalMs);
      this.timer.unref(); // a quiet limiter must not keep the process alive
      return;
    }
    this.rejected++;
    this.keys.set(key, (this.keys.get(key) ?? 0) + 1);
  }

  /** Writes the summary of the interval just ended; a quiet interval ends the burst. */
  flush(): void {
    if (this.rejected === 0) {
      this.stop();
      this.logger.info(
        {
          limiter: this.limiter,
          burst_rejected: this.burst.rejected,
          burst_ms: Date.now() - this.burst.startedAt,
        },
        `rate limit ${this.limiter}: rejections stopped`,
      );
      return;
    }
    const [topKey, topCount] = [...this.keys].reduce((a, b) => (b[1] > a[1] ? b : a));
    this.logger.warn(
      {
        limiter: this.limiter,
        rejected: this.rejected,
        keys: this.keys.size,
        top_key: topKey,
        top_key_rejected: topCount,
        interval_ms: this.intervalMs,
      },
      `rate limit ${this.limiter}: ${this.rejected} more rejections`,
    );
    this.rejected = 0;
    this.keys.clear();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
