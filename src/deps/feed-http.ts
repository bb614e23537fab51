// One HTTP fetch of a feed. The resilience layer wraps each call (deadline, breaker, limiter,
// retry) and passes its AbortSignal in. What it guarantees:
// - a conditional GET from the validators remembered for the URL; 304 -> { notModified: true }.
//   Validators are remembered only when the caller says the body was read (remember()), so a body
//   that failed to parse is fetched whole again next time, not answered 304 forever;
// - gzip asked for and decoded; the body decoded by its declared charset (SEC declares ISO-8859-1);
// - memory bounded by maxBytes of decoded body, whatever the server sends: past it the download is
//   aborted and FeedHttpError('too_large') thrown;
// - an HTML page answered with 2xx throws FeedFormatError('blocked'), a connection that ends
//   mid-body FeedFormatError('truncated'); other statuses throw a FeedHttpError saying which kind
//   of failure (403 soft, 429 with Retry-After, 5xx). An abort by the caller's signal rejects
//   with the signal's reason.
import { detectHtmlPage, FeedFormatError, rejectHtmlPage } from '../pipeline/feeds/format-error.js';
import type { FeedFetcher, FeedResponse, Validators } from '../pipeline/feed-port.js';
import { parseRetryAfter } from '../pipeline/upstream-error.js';

export type FeedHttpReason = 'forbidden' | 'rate_limited' | 'server_error' | 'http_status' | 'too_large';

export class FeedHttpError extends Error {
  readonly code = 'EFEEDHTTP';
  constructor(
    readonly reason: FeedHttpReason,
    message: string,
    readonly status?: number,
    /** From Retry-After (seconds or an HTTP date), for 429 and 503. */
    readonly retryAfterSec?: number,
    /** Which HTML page came with an error status, when it was one (e.g. SEC's block pages). */
    readonly page?: string,
  ) {
    super(message);
    this.name = 'FeedHttpError';
  }
}

export interface FeedHttpOptions {
  /** SEC requires `Company Name admin@company.com`; wires get the same. */
  userAgent: string;
  /** Largest body accepted, in bytes after decompression. */
  maxBytes: number;
  /** Browser-like by default: PR Newswire answers 403 to bare clients more often. */
  accept?: string;
}

export const DEFAULT_FEED_ACCEPT =
  'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8';
const ERROR_BODY_BYTES = 64 * 1024;
const SNIFF_BYTES = 1024;

function charsetOf(contentType: string | null, head: Buffer): string {
  const declared =
    /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '')?.[1] ??
    /^\s*(?:\uFEFF)?<\?xml[^>]*\sencoding\s*=\s*["']([\w.:-]+)["']/.exec(head.toString('latin1'))?.[1];
  return declared ?? 'utf-8';
}

function decode(buf: Buffer, contentType: string | null): string {
  const label = charsetOf(contentType, buf.subarray(0, 200));
  try {
    return new TextDecoder(label).decode(buf);
  } catch {
    return new TextDecoder('utf-8').decode(buf); // an unknown label
  }
}

/** Reads at most `limit` bytes; returns undefined (after cancelling the stream) past it. */
async function readBounded(
  res: Response,
  limit: number,
  sniff?: (head: Buffer) => void,
): Promise<Buffer | undefined> {
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Buffer[] = [];
  let total = 0;
  let sniffed = !sniff;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) return undefined;
      chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      if (!sniffed && total >= SNIFF_BYTES) {
        sniffed = true;
        sniff?.(Buffer.concat(chunks));
      }
    }
  } finally {
    // Stops the download (and frees the socket) when we leave early: cap, block page, abort.
    reader.cancel().catch(() => {});
  }
  const all = Buffer.concat(chunks, total);
  if (!sniffed) sniff?.(all);
  return all;
}

export class FeedHttp implements FeedFetcher {
  private readonly validators = new Map<string, Validators>();

  constructor(private readonly opts: FeedHttpOptions) {}

  /** Call once the body of a response was parsed: the next GET of `url` is then conditional. */
  remember(url: string, v: Validators): void {
    if (v.etag || v.lastModified) this.validators.set(url, v);
    else this.validators.delete(url);
  }

  forget(url: string): void {
    this.validators.delete(url);
  }

  async get(url: string, signal: AbortSignal): Promise<FeedResponse> {
    const known = this.validators.get(url);
    const headers: Record<string, string> = {
      'user-agent': this.opts.userAgent,
      accept: this.opts.accept ?? DEFAULT_FEED_ACCEPT,
      'accept-encoding': 'gzip',
    };
    if (known?.etag) headers['if-none-match'] = known.etag;
    if (known?.lastModified) headers['if-modified-since'] = known.lastModified;
    // Our own controller too: leaving early must stop the transfer, not only stop reading it.
    const local = new AbortController();
    const both = AbortSignal.any([signal, local.signal]);
    try {
      const res = await fetch(url, { headers, signal: both, redirect: 'follow' });
      if (res.status === 304) return { notModified: true, status: 304 };
      const contentType = res.headers.get('content-type');
      if (!res.ok) throw await this.statusError(url, res, contentType);
      const buf = await readBounded(res, this.opts.maxBytes, (head) =>
        rejectHtmlPage(decode(head, contentType), res.status),
      ).catch((err: unknown) => {
        if (both.aborted || err instanceof FeedFormatError) throw err;
        // The connection ended before the body did (undici: "terminated"): a truncated feed.
        throw new FeedFormatError(
          'truncated',
          `${url}: body cut short (${(err as Error).message})`,
          res.status,
        );
      });
      if (!buf) {
        throw new FeedHttpError(
          'too_large',
          `${url}: body larger than ${this.opts.maxBytes} bytes`,
          res.status,
        );
      }
      const validators: Validators = {};
      const etag = res.headers.get('etag');
      const lastModified = res.headers.get('last-modified');
      if (etag) validators.etag = etag;
      if (lastModified) validators.lastModified = lastModified;
      return {
        notModified: false,
        status: res.status,
        body: decode(buf, contentType),
        bytes: buf.byteLength,
        contentType: contentType ?? undefined,
        validators,
      };
    } finally {
      local.abort();
    }
  }

  private async statusError(url: string, res: Response, contentType: string | null): Promise<FeedHttpError> {
    const buf = await readBounded(res, ERROR_BODY_BYTES).catch(() => undefined);
    const page = buf ? detectHtmlPage(decode(buf, contentType)) : undefined;
    const about = `${url} answered ${res.status}${page ? ` (${page})` : ''}`;
    const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
    if (res.status === 403) return new FeedHttpError('forbidden', about, 403, undefined, page);
    if (res.status === 429) return new FeedHttpError('rate_limited', about, 429, retryAfter, page);
    if (res.status >= 500) return new FeedHttpError('server_error', about, res.status, retryAfter, page);
    return new FeedHttpError('http_status', about, res.status, undefined, page);
  }
}
