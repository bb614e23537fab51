// How an outside service failed, in the words of the pipeline's ports: a throttle (wait
// Retry-After) from an outage (count against the breaker) from a bad answer (fall back). Adapters
// in deps/ throw it; the pipeline reads it. Messages never carry secrets.

export type UpstreamFailure =
  | 'rate_limited' // 429: honour retryAfterSeconds
  | 'not_authorized' // 401/403: key missing, wrong, or the plan lacks the endpoint
  | 'http_4xx' // another client error: our request is wrong for this server
  | 'http_5xx'
  | 'network' // refused, reset, closed before an answer
  | 'invalid' // an answer we cannot use (not JSON, wrong shape)
  | 'truncated'; // cut short (unterminated JSON, finish_reason "length")

export class UpstreamError extends Error {
  readonly status: number | undefined;
  /** Seconds the server asked us to wait (429/503 Retry-After), when it said. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly service: string,
    readonly reason: UpstreamFailure,
    message: string,
    opts: { status?: number; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(`${service}: ${message}`, { cause: opts.cause });
    this.name = 'UpstreamError';
    this.status = opts.status;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
}

/** Retry-After as seconds from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}
