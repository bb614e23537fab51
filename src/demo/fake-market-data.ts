// A loopback stand-in for the Massive (Polygon.io) REST API: daily aggregates, the ticker snapshot
// and ticker reference data for made-up companies, with the throttle and plan errors the real one
// gives, so tests and `catalyst demo` need no key and no internet.
import type { ServerResponse } from 'node:http';
import { addDays, etDate, etMidnight } from '../domain/eastern-time.js';
import { json, RecordingServer, type RecordedRequest } from './recording-server.js';

export interface FakeTicker {
  name: string;
  /** Mean of every 20 consecutive completed sessions (daily volumes alternate 0.9x and 1.1x). */
  avgVolume: number;
  todayVolume: number;
  sharesOutstanding: number;
}

/** Made-up companies: NBTX a tiny float on a big day, KQC modest, PWEC too thin for RVOL. */
export const FAKE_TICKERS: Record<string, FakeTicker> = {
  NBTX: {
    name: 'NeuroBiotix Inc.',
    avgVolume: 300_000,
    todayVolume: 1_800_000,
    sharesOutstanding: 4_200_000,
  },
  KQC: {
    name: 'Kraken Quantum Corp.',
    avgVolume: 1_200_000,
    todayVolume: 2_700_000,
    sharesOutstanding: 15_000_000,
  },
  PWEC: {
    name: 'Prairie Wind Energy Co.',
    avgVolume: 60_000,
    todayVolume: 500_000,
    sharesOutstanding: 48_000_000,
  },
  HVM: {
    name: 'Highveld Minerals Ltd.',
    avgVolume: 450_000,
    todayVolume: 400_000,
    sharesOutstanding: 90_000_000,
  },
};

export type MarketDataFault =
  | 'none'
  | 'down' // connection refused until cleared
  | 'rate_limited' // 429 like the free tier's 5 calls/min
  | 'no_snapshot' // 403 NOT_AUTHORIZED on the snapshot only (the free plan has none)
  | 'not_authorized' // 403 NOT_AUTHORIZED everywhere
  | 'slow';

export interface FakeMarketDataOptions {
  tickers?: Record<string, FakeTicker>;
  /** When set, requests without this key (apiKey query or Bearer) get 401. */
  apiKey?: string;
  now?: () => number;
}

const isWeekday = (date: string) => {
  const d = new Date(`${date}T12:00:00Z`).getUTCDay();
  return d !== 0 && d !== 6;
};

export class FakeMarketData {
  readonly server = new RecordingServer((req, res) => this.handle(req, res));
  private current: MarketDataFault = 'none';
  private retryAfter: string | undefined;
  private delayMs = 5000;
  private readonly tickers: Record<string, FakeTicker>;
  private readonly now: () => number;

  constructor(private readonly opts: FakeMarketDataOptions = {}) {
    this.tickers = opts.tickers ?? FAKE_TICKERS;
    this.now = opts.now ?? Date.now;
  }

  get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  /** MARKET_DATA_BASE_URL for the adapter. */
  get baseUrl(): string {
    return this.server.url;
  }

  async start(port = 0): Promise<this> {
    await this.server.start(port);
    return this;
  }

  async close(): Promise<void> {
    await this.server.stop();
  }

  async setFault(
    fault: MarketDataFault,
    opts: { retryAfter?: string; delayMs?: number } = {},
  ): Promise<void> {
    this.current = fault;
    this.retryAfter = opts.retryAfter;
    this.delayMs = opts.delayMs ?? 5000;
    if (fault === 'down') await this.server.stop();
    else await this.server.start();
  }

  /** The daily bars the fake serves for a ticker between two ET dates, today's partial bar included. */
  bars(ticker: string, from: string, to: string): { t: number; v: number; date: string }[] {
    const info = this.tickers[ticker];
    if (!info) return [];
    const today = etDate(this.now());
    const out: { t: number; v: number; date: string }[] = [];
    for (let d = from; d <= to && d <= today; d = addDays(d, 1)) {
      if (!isWeekday(d)) continue;
      // Parity by date, not by position, so any 20 consecutive sessions average exactly avgVolume.
      const day = Math.round(etMidnight(d) / 86_400_000);
      const v = d === today ? info.todayVolume : Math.round(info.avgVolume * (day % 2 === 0 ? 0.9 : 1.1));
      out.push({ t: etMidnight(d), v, date: d });
    }
    return out;
  }

  private handle(req: RecordedRequest, res: ServerResponse): void {
    const requestId = `fake-${this.requests.length}`;
    if (this.opts.apiKey) {
      const given = req.query.get('apiKey') ?? req.headers.authorization?.replace(/^Bearer /, '');
      if (given !== this.opts.apiKey) {
        return json(res, 401, { status: 'ERROR', request_id: requestId, error: 'Unknown API Key' });
      }
    }
    const fault = this.current;
    if (fault === 'rate_limited') {
      const headers: Record<string, string> = this.retryAfter ? { 'retry-after': this.retryAfter } : {};
      return json(
        res,
        429,
        {
          status: 'ERROR',
          request_id: requestId,
          error:
            "You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue.",
        },
        headers,
      );
    }
    const notAuthorized = () =>
      json(res, 403, {
        status: 'NOT_AUTHORIZED',
        request_id: requestId,
        message: 'You are not entitled to this data. Please upgrade your plan at https://massive.com/pricing',
      });
    if (fault === 'not_authorized') return notAuthorized();
    const answer = () => this.route(req, res, requestId, notAuthorized);
    if (fault === 'slow') return this.server.later(res, this.delayMs, answer);
    answer();
  }

  private route(
    req: RecordedRequest,
    res: ServerResponse,
    requestId: string,
    notAuthorized: () => void,
  ): void {
    const notFound = () =>
      json(res, 404, { status: 'NOT_FOUND', request_id: requestId, message: 'Ticker not found.' });
    let m = /^\/v2\/aggs\/ticker\/([^/]+)\/range\/1\/day\/(\d{4}-\d{2}-\d{2})\/(\d{4}-\d{2}-\d{2})$/.exec(
      req.path,
    );
    if (m) {
      const ticker = m[1]!;
      const results = this.bars(ticker, m[2]!, m[3]!).map(({ t, v }) => ({
        v,
        vw: 2.5,
        o: 2.4,
        c: 2.6,
        h: 2.7,
        l: 2.3,
        t,
        n: Math.round(v / 150),
      }));
      return json(res, 200, {
        ticker,
        queryCount: results.length,
        resultsCount: results.length,
        adjusted: true,
        results,
        status: 'OK',
        request_id: requestId,
        count: results.length,
      });
    }
    m = /^\/v2\/snapshot\/locale\/us\/markets\/stocks\/tickers\/([^/]+)$/.exec(req.path);
    if (m) {
      if (this.current === 'no_snapshot') return notAuthorized();
      const info = this.tickers[m[1]!];
      if (!info) return notFound();
      return json(res, 200, {
        status: 'OK',
        request_id: requestId,
        ticker: {
          ticker: m[1],
          todaysChangePerc: 12.5,
          todaysChange: 0.3,
          updated: this.now() * 1e6,
          day: { o: 2.4, h: 2.9, l: 2.35, c: 2.7, v: info.todayVolume, vw: 2.6 },
          min: {
            av: info.todayVolume,
            t: this.now(),
            n: 40,
            o: 2.7,
            h: 2.71,
            l: 2.69,
            c: 2.7,
            v: 5000,
            vw: 2.7,
          },
          prevDay: { o: 2.3, h: 2.45, l: 2.25, c: 2.4, v: info.avgVolume, vw: 2.35 },
          lastTrade: { p: 2.7, s: 100, t: this.now() * 1e6 },
        },
      });
    }
    m = /^\/v3\/reference\/tickers\/([^/]+)$/.exec(req.path);
    if (m) {
      const info = this.tickers[m[1]!];
      if (!info) return notFound();
      return json(res, 200, {
        status: 'OK',
        request_id: requestId,
        results: {
          ticker: m[1],
          name: info.name,
          market: 'stocks',
          locale: 'us',
          active: true,
          currency_name: 'usd',
          market_cap: info.sharesOutstanding * 2.6,
          share_class_shares_outstanding: info.sharesOutstanding,
          weighted_shares_outstanding: info.sharesOutstanding,
        },
      });
    }
    json(res, 404, {
      status: 'NOT_FOUND',
      request_id: requestId,
      message: 'The requested path was not found.',
    });
  }
}
