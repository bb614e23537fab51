// Subscriber filters: what a subscription asks for, its validation, and matching. A signal matches
// when it satisfies every filter given; an absent filter matches everything.
import { CatalystError } from './errors.js';
import { type Signal, TICKER } from './signal.js';
import { characters, hasLoneSurrogate, loneSurrogateMessage } from './text.js';

export interface SignalFilter {
  min_confidence?: number;
  tickers?: string[];
  catalysts?: string[];
  sources?: string[];
  min_score?: number;
  sentiment?: 'positive' | 'negative';
}

const MAX_LIST = 1000;
const KEYS = new Set(['min_confidence', 'tickers', 'catalysts', 'sources', 'min_score', 'sentiment']);

const invalid = (field: string, message: string) =>
  new CatalystError('invalid_request', message, { field: `filters.${field}` });

function list(v: unknown, field: string, normalise: (s: string) => string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x.length === 0 || characters(x) > 100)) {
    throw invalid(field, `${field} must be an array of strings of 1 to 100 characters`);
  }
  if (v.some((x) => hasLoneSurrogate(x as string))) throw invalid(field, loneSurrogateMessage(field));
  if (v.length > MAX_LIST) throw invalid(field, `${field} may hold at most ${MAX_LIST} entries`);
  return [...new Set((v as string[]).map(normalise))];
}

export function parseFilter(raw: unknown): SignalFilter {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid('', 'filters must be a JSON object');
  const o = raw as Record<string, unknown>;
  const f: SignalFilter = {};
  for (const k of Object.keys(o)) if (!KEYS.has(k)) throw invalid(k, `unknown filter ${k}`);
  for (const k of ['min_confidence', 'min_score'] as const) {
    const v = o[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(k, `${k} must be a number`);
    // Confidence lives in 0..1: a filter above 1 would silently match nothing.
    if (k === 'min_confidence' && (v < 0 || v > 1)) throw invalid(k, `${k} must be between 0 and 1`);
    f[k] = v;
  }
  if (o.tickers != null) {
    f.tickers = list(o.tickers, 'tickers', (s) => s.toUpperCase());
    // A ticker no signal can have would match nothing, silently: the same rule as a published one.
    const bad = f.tickers.find((t) => !TICKER.test(t));
    if (bad !== undefined)
      throw invalid('tickers', `tickers: "${bad}" is not a ticker (1-10 characters of A-Z, 0-9, "." or "-")`);
  }
  if (o.catalysts != null) f.catalysts = list(o.catalysts, 'catalysts', (s) => s.toLowerCase());
  if (o.sources != null) f.sources = list(o.sources, 'sources', (s) => s);
  if (o.sentiment != null) {
    if (o.sentiment !== 'positive' && o.sentiment !== 'negative') {
      throw invalid('sentiment', 'sentiment must be "positive" or "negative"');
    }
    f.sentiment = o.sentiment;
  }
  return f;
}

/**
 * Sentiment "positive" means > 0 and "negative" means < 0; a neutral 0 matches neither. A signal
 * without a score never passes a min_score filter: a subscriber asking for a score wants one.
 */
export function matches(f: SignalFilter, s: Signal): boolean {
  if (f.min_confidence !== undefined && !(s.confidence >= f.min_confidence)) return false;
  if (f.min_score !== undefined && !(s.score !== undefined && s.score >= f.min_score)) return false;
  if (f.tickers && !f.tickers.includes(s.ticker)) return false;
  if (f.catalysts && !f.catalysts.includes(s.catalyst)) return false;
  if (f.sources && !f.sources.includes(s.source)) return false;
  if (f.sentiment === 'positive' && !(s.sentiment > 0)) return false;
  if (f.sentiment === 'negative' && !(s.sentiment < 0)) return false;
  return true;
}

/** REST query parameters of a filter, and the filter field each stands for. */
const QUERY_PARAMS = {
  min_confidence: 'min_confidence',
  min_score: 'min_score',
  ticker: 'tickers',
  catalyst: 'catalysts',
  source: 'sources',
  sentiment: 'sentiment',
} as const;
const LIST_PARAMS = new Set(['ticker', 'catalyst', 'source']);

/**
 * The filter of `GET /signals?ticker=A,B&catalyst=...`: the same rules, limits and errors as a
 * WebSocket subscribe (parseFilter), with errors naming the query parameter.
 */
export function parseQueryFilter(query: Record<string, unknown>): SignalFilter {
  const raw: Record<string, unknown> = {};
  for (const [param, key] of Object.entries(QUERY_PARAMS)) {
    const v = query[param];
    if (v === undefined) continue;
    if (!LIST_PARAMS.has(param)) raw[key] = v;
    else {
      const items = String(v)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      // `?ticker=` names no ticker: an error (as an empty string in a subscribe), not "match none".
      raw[key] = items.length > 0 ? items : [''];
    }
  }
  try {
    return parseFilter(raw);
  } catch (err) {
    if (!(err instanceof CatalystError) || err.field === undefined) throw err;
    const key = err.field.replace(/^filters\./, '');
    const param = Object.entries(QUERY_PARAMS).find(([, k]) => k === key)?.[0] ?? key;
    throw new CatalystError('invalid_request', err.message.replace(key, param), { field: param });
  }
}
