// Loopback stand-ins for SEC EDGAR (getcurrent Atom and company_tickers.json), GlobeNewswire and
// PR Newswire, speaking their real formats, for tests and `catalyst demo`. Beyond serving the
// samples they: answer conditional GETs (ETag / Last-Modified / 304) and gzip when asked; refuse an
// undeclared SEC User-Agent with SEC's block page, as SEC does; record every request (path,
// headers, time) so tests can check the User-Agent and measure the rate; switch on faults (block
// pages with 403 or 200, truncated XML, a huge body, a hang, 5xx, 429); and take new items at run
// time, so news can appear while a pipeline polls.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import { createGzip, gzipSync, type Gzip } from 'node:zlib';
import { isInsiderForm } from '../pipeline/feeds/sec-forms.js';
import { SEC_RATE_EXCEEDED_PAGE, SEC_UNDECLARED_TOOL_PAGE } from './samples/block-pages.js';
import { httpDate } from './samples/formats.js';
import { LATER_NEWS } from './samples/later-news.js';
import { GNW_RELEASES, renderGnwFeed, renderGnwItem } from './samples/globenewswire.js';
import { PRN_RELEASES, renderPrnFeed, renderPrnItem } from './samples/prnewswire.js';
import {
  renderSecFeed,
  renderSecFiling,
  SEC_COMPANY_TICKERS,
  SEC_FILINGS,
  type SecFilingSample,
} from './samples/sec.js';
import type { WireRelease } from './samples/wire-release.js';
import { agedAt } from './samples/aged.js';

export type FakeFeed = 'sec' | 'sec_tickers' | 'gnw' | 'prn';

export type Fault =
  /** truncated: a whole answer holding part of the document; cut: the connection dies mid-body. */
  | { kind: 'block_403' | 'block_200' | 'truncated' | 'cut' | 'hang'; times?: number }
  | { kind: 'server_error'; status?: number; times?: number }
  | { kind: 'rate_limited'; retryAfterSec?: number; times?: number }
  /** A well-formed start of a feed that goes on for `bytes` (default 200 MB), gzipped if asked. */
  | { kind: 'huge'; bytes?: number; gzip?: boolean; times?: number };

export interface RecordedRequest {
  feed: FakeFeed | undefined;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  at: number;
  /** Filled in when the answer ends: status, whether gzip was used, body bytes before compression. */
  answered?: { status: number; gzip: boolean; bytes: number };
}

export interface FakeFeedsOptions {
  port?: number;
  /** Clock for the samples' dates and Last-Modified. */
  now?: () => Date;
  /** Serve the bundled samples (default true); false starts with empty feeds. */
  samples?: boolean;
  /** Refuse SEC requests without a `Name email@domain` User-Agent, as SEC does (default true). */
  secRequireUserAgent?: boolean;
  /** Answer SEC's "Request Rate Threshold Exceeded" page past this many requests in one second. */
  secMaxPerSecond?: number;
}

interface Timed<T> {
  value: T;
  at: Date;
}

const MAX_RECORDED = 10_000;
const DECLARED_AGENT = /\S+@\S+\.\S+/;

const newestFirst = <T>(list: Timed<T>[]) => [...list].sort((a, b) => b.at.getTime() - a.at.getTime());

export class FakeFeeds {
  readonly requests: RecordedRequest[] = [];
  private readonly sec: Timed<SecFilingSample>[] = [];
  private readonly gnw: Timed<WireRelease>[] = [];
  private readonly prn: Timed<WireRelease>[] = [];
  private readonly changedAt: Record<FakeFeed, Date>;
  private readonly faults = new Map<FakeFeed, Fault>();
  private readonly now: () => Date;
  private released = 0;
  private readonly written = new WeakMap<http.ServerResponse, { bytes: number; gzip: boolean }>();

  private constructor(
    private readonly server: http.Server,
    private readonly opts: FakeFeedsOptions,
  ) {
    this.now = opts.now ?? (() => new Date());
    const start = this.now();
    this.changedAt = { sec: start, sec_tickers: start, gnw: start, prn: start };
    if (opts.samples !== false) {
      for (const f of SEC_FILINGS) this.sec.push({ value: f, at: agedAt(f, start) });
      for (const r of GNW_RELEASES) this.gnw.push({ value: r, at: agedAt(r, start) });
      for (const r of PRN_RELEASES) this.prn.push({ value: r, at: agedAt(r, start) });
    }
  }

  static async start(opts: FakeFeedsOptions = {}): Promise<FakeFeeds> {
    const server = http.createServer();
    const feeds = new FakeFeeds(server, opts);
    server.on('request', (req, res) => feeds.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, '127.0.0.1', resolve);
    });
    return feeds;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** SEC getcurrent; `type` is a prefix match there, as at SEC. */
  secUrl(q: { type?: string; count?: number; owner?: 'include' | 'exclude' | 'only' } = {}): string {
    const p = new URLSearchParams({ action: 'getcurrent' });
    if (q.type !== undefined) p.set('type', q.type);
    p.set('company', '');
    p.set('dateb', '');
    p.set('owner', q.owner ?? 'include');
    p.set('count', String(q.count ?? 40));
    p.set('output', 'atom');
    return `${this.baseUrl}/cgi-bin/browse-edgar?${p}`;
  }

  get secTickersUrl(): string {
    return `${this.baseUrl}/files/company_tickers.json`;
  }

  get gnwUrl(): string {
    return `${this.baseUrl}/RssFeed/orgclass/1/feedTitle/GlobeNewswire%20-%20News%20about%20Public%20Companies`;
  }

  get prnUrl(): string {
    return `${this.baseUrl}/rss/news-releases-list.rss`;
  }

  /** Requests to one feed (all when omitted). */
  requestsTo(feed?: FakeFeed): RecordedRequest[] {
    return feed ? this.requests.filter((r) => r.feed === feed) : [...this.requests];
  }

  /** The most requests to `feed` seen within any `windowMs` (SEC's limit is per second). */
  peakRate(feed: FakeFeed | FakeFeed[], windowMs = 1000): number {
    const feeds = Array.isArray(feed) ? feed : [feed];
    const times = this.requests.filter((r) => r.feed && feeds.includes(r.feed)).map((r) => r.at);
    let peak = 0;
    for (let lo = 0, hi = 0; hi < times.length; hi++) {
      while ((times[hi] as number) - (times[lo] as number) >= windowMs) lo++;
      peak = Math.max(peak, hi - lo + 1);
    }
    return peak;
  }

  setFault(feed: FakeFeed, fault: Fault | undefined): void {
    if (fault) this.faults.set(feed, { ...fault });
    else this.faults.delete(feed);
  }

  /**
   * Releases the next bundled item of LATER_NEWS, dated now; false once all were released. The
   * demo calls it on a timer so signals keep arriving.
   */
  publishNext(): boolean {
    const next = LATER_NEWS[this.released];
    if (!next) return false;
    this.released++;
    if (next.wire === 'sec') this.addSecFiling(next.filing);
    else if (next.wire === 'gnw') this.addGnwRelease(next.release);
    else this.addPrnRelease(next.release);
    return true;
  }

  addSecFiling(f: SecFilingSample, at: Date = this.now()): void {
    this.sec.push({ value: f, at });
    this.changedAt.sec = this.now();
  }

  addGnwRelease(r: WireRelease, at: Date = this.now()): void {
    this.gnw.push({ value: r, at });
    this.changedAt.gnw = this.now();
  }

  addPrnRelease(r: WireRelease, at: Date = this.now()): void {
    this.prn.push({ value: r, at });
    this.changedAt.prn = this.now();
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections(); // hung requests included
    await closed;
  }

  private route(path: string): FakeFeed | undefined {
    if (path === '/cgi-bin/browse-edgar') return 'sec';
    if (path === '/files/company_tickers.json') return 'sec_tickers';
    if (path.startsWith('/RssFeed/')) return 'gnw';
    if (path.startsWith('/rss/') && path.endsWith('.rss')) return 'prn';
    return undefined;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const feed = this.route(url.pathname);
    const at = Date.now();
    const record: RecordedRequest = {
      feed,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      at,
    };
    this.requests.push(record);
    res.on('close', () => {
      const { bytes, gzip } = this.written.get(res) ?? { bytes: 0, gzip: false };
      record.answered = { status: res.statusCode, gzip, bytes };
    });
    if (this.requests.length > MAX_RECORDED) this.requests.splice(0, this.requests.length - MAX_RECORDED);
    if (!feed || req.method !== 'GET') {
      res.writeHead(feed ? 405 : 404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (feed === 'sec' || feed === 'sec_tickers') {
      const page = this.secRefusal(req, at);
      if (page) {
        res.writeHead(403, { 'content-type': 'text/html; charset=utf-8' }).end(page);
        return;
      }
    }
    const fault = this.takeFault(feed);
    if (fault) return this.serveFault(fault, feed, url, req, res);
    const doc = this.render(feed, url.searchParams);
    this.send(req, res, doc.body, doc.type, this.changedAt[feed]);
  }

  private secRefusal(req: http.IncomingMessage, at: number): string | undefined {
    if (this.opts.secRequireUserAgent !== false && !DECLARED_AGENT.test(req.headers['user-agent'] ?? '')) {
      return SEC_UNDECLARED_TOOL_PAGE;
    }
    const max = this.opts.secMaxPerSecond;
    if (max !== undefined) {
      const recent = this.requests.filter(
        (r) => (r.feed === 'sec' || r.feed === 'sec_tickers') && r.at > at - 1000,
      );
      if (recent.length > max) return SEC_RATE_EXCEEDED_PAGE;
    }
    return undefined;
  }

  private takeFault(feed: FakeFeed): Fault | undefined {
    const fault = this.faults.get(feed);
    if (!fault) return undefined;
    if (fault.times !== undefined && --fault.times <= 0) this.faults.delete(feed);
    return fault;
  }

  /** Answers the request as the fault says (a hang never answers; close() ends it). */
  private serveFault(
    fault: Fault,
    feed: FakeFeed,
    url: URL,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): void {
    const html = { 'content-type': 'text/html; charset=utf-8' };
    switch (fault.kind) {
      case 'block_403':
        res.writeHead(403, html).end(SEC_UNDECLARED_TOOL_PAGE);
        return;
      case 'block_200':
        res.writeHead(200, html).end(SEC_UNDECLARED_TOOL_PAGE);
        return;
      case 'server_error':
        res
          .writeHead(fault.status ?? 503, { 'content-type': 'text/plain', 'retry-after': '1' })
          .end('unavailable\n');
        return;
      case 'rate_limited':
        res
          .writeHead(429, { 'content-type': 'text/plain', 'retry-after': String(fault.retryAfterSec ?? 10) })
          .end('Too Many Requests\n');
        return;
      case 'hang':
        return;
      case 'truncated': {
        const { body, type } = this.render(feed, url.searchParams);
        // A whole HTTP answer whose document stops mid-element, as a cut upstream leaves it.
        this.send(req, res, body.slice(0, Math.floor(body.length * 0.6)), type, this.changedAt[feed], false);
        return;
      }
      case 'cut': {
        const { body, type } = this.render(feed, url.searchParams);
        const buf = Buffer.from(body);
        res.writeHead(200, { 'content-type': type, 'content-length': buf.length });
        res.write(buf.subarray(0, buf.length >> 1), () => res.destroy());
        return;
      }
      case 'huge':
        this.streamHuge(res, fault.bytes ?? 200 * 1024 * 1024, fault.gzip === true);
        return;
    }
  }

  private streamHuge(res: http.ServerResponse, bytes: number, gzip: boolean): void {
    res.writeHead(200, {
      'content-type': 'application/rss+xml; charset=utf-8',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    // Gzipped, the wire carries little while the decoded body still grows to `bytes`.
    const out: Writable = gzip ? createGzip() : res;
    if (gzip) (out as Gzip).pipe(res);
    const head = '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>huge</title>\n';
    const item = `<item><title>${'x'.repeat(900)}</title></item>\n`;
    const chunk = Buffer.from(item.repeat(64));
    let sent = 0;
    let stopped = false;
    res.on('close', () => {
      stopped = true;
      if (out !== res) out.destroy();
    });
    const pump = () => {
      while (!stopped && sent < bytes) {
        sent += chunk.length;
        this.written.set(res, { bytes: sent, gzip });
        if (!out.write(chunk)) return void out.once('drain', pump);
      }
      if (!stopped) out.end('</channel></rss>\n');
    };
    out.write(head);
    pump();
  }

  private render(feed: FakeFeed, q: URLSearchParams): { body: string; type: string } {
    const changed = this.changedAt[feed];
    if (feed === 'sec_tickers') return { body: SEC_COMPANY_TICKERS, type: 'application/json' };
    if (feed === 'gnw') {
      const items = newestFirst(this.gnw).map((r) => renderGnwItem(r.value, r.at));
      return { body: renderGnwFeed(items, changed), type: 'application/rss+xml; charset=utf-8' };
    }
    if (feed === 'prn') {
      const items = newestFirst(this.prn).map((r) => renderPrnItem(r.value, r.at));
      return { body: renderPrnFeed(items, changed), type: 'application/rss+xml; charset=UTF-8' };
    }
    const type = (q.get('type') ?? '').trim().toUpperCase();
    const owner = q.get('owner') ?? 'include';
    const count = Math.min(100, Math.max(1, Number(q.get('count')) || 40));
    const entries = newestFirst(this.sec)
      .filter(({ value: f }) => f.form.toUpperCase().startsWith(type))
      .filter(({ value: f }) =>
        owner === 'exclude' ? !isInsiderForm(f.form) : owner === 'only' ? isInsiderForm(f.form) : true,
      )
      .flatMap(({ value, at }) => renderSecFiling(value, at))
      .slice(0, count);
    // SEC declares ISO-8859-1 in the document; send() encodes it so.
    return { body: renderSecFeed(entries, changed), type: 'application/atom+xml' };
  }

  private send(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: string,
    type: string,
    changed: Date,
    validators = true,
  ): void {
    const latin1 = /encoding="ISO-8859-1"/.test(body.slice(0, 100));
    let buf = Buffer.from(body, latin1 ? 'latin1' : 'utf8');
    const headers: http.OutgoingHttpHeaders = { 'content-type': type, vary: 'Accept-Encoding' };
    if (validators) {
      const etag = `"${createHash('sha1').update(buf).digest('base64url')}"`;
      const lastModified = httpDate(changed);
      headers.etag = etag;
      headers['last-modified'] = lastModified;
      const inm = req.headers['if-none-match'];
      const ims = req.headers['if-modified-since'];
      const fresh =
        inm !== undefined
          ? inm.split(',').some((t) => t.trim() === etag)
          : ims !== undefined && Date.parse(ims) >= Date.parse(lastModified);
      if (fresh) {
        res.writeHead(304, headers).end();
        return;
      }
    }
    const bytes = buf.length;
    if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
      buf = gzipSync(buf);
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = buf.length;
    this.written.set(res, { bytes, gzip: headers['content-encoding'] === 'gzip' });
    res.writeHead(200, headers).end(buf);
  }
}
