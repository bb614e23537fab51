// HTTP helpers shared by the outside-service adapters: fetch and body reads that report failures as
// UpstreamError (the ports' vocabulary). URLs in messages are given without their query string.
import { parseRetryAfter, UpstreamError } from '../pipeline/upstream-error.js';

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
