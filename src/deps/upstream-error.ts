// How an outside HTTP API failed, typed so the resilience layer and the runner can tell a throttle
// (wait Retry-After) from an outage (count against the breaker) from a bad answer (fall back).
// Messages never carry secrets: URLs are given without their query string.

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

/** The error for a non-2xx answer, by status. */
export function httpError(service: string, res: Response, what: string, detail = ''): UpstreamError {
  const s = res.status;
  const tail = detail ? `: ${detail.slice(0, 200)}` : '';
  if (s === 429) {
    const retryAfterSeconds = parseRetryAfter(res.headers.get('retry-after'));
    return new UpstreamError(service, 'rate_limited', `${what} answered 429${tail}`, {
      status: s,
      retryAfterSeconds,
    });
  }
  const reason = s === 401 || s === 403 ? 'not_authorized' : s >= 500 ? 'http_5xx' : 'http_4xx';
  const retryAfterSeconds = s === 503 ? parseRetryAfter(res.headers.get('retry-after')) : undefined;
  return new UpstreamError(service, reason, `${what} answered ${s}${tail}`, { status: s, retryAfterSeconds });
}

/**
 * fetch that reports a network failure as UpstreamError('network'), but lets an abort through
 * untouched: the resilience layer aborts with its own timeout error and must see it again.
 */
export async function fetchUpstream(
  service: string,
  url: string,
  init: RequestInit & { signal: AbortSignal },
): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    if (init.signal.aborted) throw init.signal.reason ?? err;
    const cause = (err as { cause?: { code?: string } }).cause;
    const where = url.split('?')[0];
    throw new UpstreamError(
      service,
      'network',
      `${where} unreachable (${cause?.code ?? (err as Error).message})`,
      {
        cause: err,
      },
    );
  }
}

/** The body as text; an abort mid-body is rethrown as the abort, a cut connection is 'truncated'. */
export async function readBody(service: string, res: Response, signal: AbortSignal): Promise<string> {
  try {
    return await res.text();
  } catch (err) {
    if (signal.aborted) throw signal.reason ?? err;
    throw new UpstreamError(service, 'truncated', 'the connection closed mid-answer', { cause: err });
  }
}
