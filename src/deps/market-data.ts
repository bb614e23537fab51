// Market data behind a port: what the score needs for RVOL and float, whoever serves it. The
// default adapter speaks the Massive (Polygon.io) REST API. Each method is one cancellable call;
// the caller wraps it in the resilience layer and bounds how long a signal waits for it.
import { addDays, etDate } from '../domain/eastern-time.js';
import type { MarketData, ShareCounts, VolumeBaseline } from '../pipeline/market-data-port.js';
import { UpstreamError } from '../pipeline/upstream-error.js';
import { fetchUpstream, httpError, readBody } from './http.js';

const SERVICE = 'market_data';

export interface PolygonConfig {
  /** https://api.massive.com or https://api.polygon.io (both take the same key). */
  baseUrl: string;
  apiKey?: string;
  /** Polygon accepts the key as `apiKey` query parameter or as a Bearer token; Bearer keeps it out of URLs. */
  auth?: 'bearer' | 'query';
  sessions?: number;
  now?: () => number;
}

// Calendar days fetched to find 20 sessions: weekends plus the longest holiday cluster.
const LOOKBACK_DAYS = 45;

const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

export class PolygonMarketData implements MarketData {
  private readonly base: string;
  private readonly sessions: number;
  private readonly now: () => number;

  constructor(private readonly config: PolygonConfig) {
    this.base = config.baseUrl.replace(/\/+$/, '');
    this.sessions = config.sessions ?? 20;
    this.now = config.now ?? Date.now;
  }

  async baseline(ticker: string, signal: AbortSignal): Promise<VolumeBaseline | null> {
    const today = etDate(this.now());
    const from = addDays(today, -LOOKBACK_DAYS);
    const body = await this.get(
      `/v2/aggs/ticker/${encodeURIComponent(ticker)}/range/1/day/${from}/${today}`,
      { adjusted: 'true', sort: 'asc', limit: '5000' },
      signal,
    );
    if (body === null) return null;
    const results = (body as { results?: unknown }).results ?? [];
    if (!Array.isArray(results)) throw new UpstreamError(SERVICE, 'invalid', 'aggs results is not an array');
    // Today's bar (partial while the session runs) is not a completed session.
    const bars = results
      .filter((b): b is { t: number; v: number } => typeof b?.t === 'number' && typeof b?.v === 'number')
      .map((b) => ({ date: etDate(b.t), v: b.v }))
      .filter((b) => b.date < today)
      .slice(-this.sessions);
    if (bars.length === 0) return null;
    return {
      avgVolume: bars.reduce((s, b) => s + b.v, 0) / bars.length,
      sessions: bars.length,
      from: bars[0]!.date,
      to: bars.at(-1)!.date,
    };
  }

  async todayVolume(ticker: string, signal: AbortSignal): Promise<number | null> {
    const body = await this.get(
      `/v2/snapshot/locale/us/markets/stocks/tickers/${encodeURIComponent(ticker)}`,
      {},
      signal,
    );
    const snap = (body as { ticker?: { day?: { v?: unknown }; min?: { av?: unknown } } } | null)?.ticker;
    if (!snap) return null;
    // day.v can still be 0 early in the day while min.av (accumulated) already counts.
    const day = positive(snap.day?.v) ? snap.day.v : 0;
    const acc = positive(snap.min?.av) ? snap.min.av : 0;
    return Math.max(day, acc);
  }

  async shares(ticker: string, signal: AbortSignal): Promise<ShareCounts | null> {
    const body = await this.get(`/v3/reference/tickers/${encodeURIComponent(ticker)}`, {}, signal);
    const r = (body as { results?: Record<string, unknown> } | null)?.results;
    if (!r) return null;
    const out: ShareCounts = {};
    const outstanding = positive(r.share_class_shares_outstanding)
      ? r.share_class_shares_outstanding
      : r.weighted_shares_outstanding;
    if (positive(outstanding)) out.sharesOutstanding = outstanding;
    return out;
  }

  /** GET a JSON object; null on 404 (unknown ticker). */
  private async get(
    path: string,
    query: Record<string, string>,
    signal: AbortSignal,
  ): Promise<object | null> {
    const params = new URLSearchParams(query);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.config.apiKey) {
      if (this.config.auth === 'query') params.set('apiKey', this.config.apiKey);
      else headers.authorization = `Bearer ${this.config.apiKey}`;
    }
    const qs = params.toString();
    const res = await fetchUpstream(SERVICE, `${this.base}${path}${qs ? `?${qs}` : ''}`, { headers, signal });
    const text = await readBody(SERVICE, res, signal);
    if (res.status === 404) return null;
    if (!res.ok) {
      // The plan lacks the endpoint: {"status":"NOT_AUTHORIZED","message":"You are not entitled..."}.
      throw httpError(SERVICE, res, path, res.status === 403 ? String(parseOr(text)?.status ?? '') : '');
    }
    const body = parseOr(text);
    if (!body)
      throw new UpstreamError(SERVICE, 'invalid', `${path} answered something that is not a JSON object`);
    if (body.status === 'ERROR') throw new UpstreamError(SERVICE, 'invalid', `${path} answered status ERROR`);
    return body;
  }
}

function parseOr(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
