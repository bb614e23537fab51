// The one workload every target (Catalyst, raw `ws`, Socket.IO) gets: which filter each subscriber
// holds, which signals are published, and how many deliveries a set of published signals is owed.
// Subscriber i holds filter i mod k of its kind; signal j is of class j mod k; so with k classes each
// signal matches about N/k subscribers (ticker, catalyst), all of them (all), or every subscriber whose
// threshold is at or below the signal's confidence (confidence: (c+1)/k of them for class c).

export type FilterKind = 'ticker' | 'catalyst' | 'confidence' | 'all';
export const FILTER_KINDS: FilterKind[] = ['ticker', 'catalyst', 'confidence', 'all'];

/** A filter as Catalyst's protocol spells it (the baselines accept the same object). */
export interface Filters {
  tickers?: string[];
  catalysts?: string[];
  min_confidence?: number;
}

export interface Workload {
  kind: FilterKind;
  /** Classes: tickers, catalysts or confidence levels (1 for all). */
  classes: number;
}

const TICKERS = (k: number) => `TK${k}`;
const CATALYSTS = ['fda', 'earnings', 'merger', 'offering', 'contract', 'guidance', 'buyback', 'split'];
const catalystName = (c: number) => `${CATALYSTS[c % CATALYSTS.length]}_${Math.floor(c / CATALYSTS.length)}`;
/** Confidence of level c of k: spread over [0.5, 1). */
const level = (c: number, k: number) => Math.round((0.5 + (0.5 * c) / k) * 1e4) / 1e4;

export function filtersOf(w: Workload): Filters[] {
  const k = w.kind === 'all' ? 1 : w.classes;
  return Array.from({ length: k }, (_, c): Filters => {
    if (w.kind === 'ticker') return { tickers: [TICKERS(c)] };
    if (w.kind === 'catalyst') return { catalysts: [catalystName(c)] };
    if (w.kind === 'confidence') return { min_confidence: level(c, k) };
    return {};
  });
}

export interface SignalBody {
  id: string;
  ticker: string;
  title: string;
  source: string;
  url: string;
  catalyst: string;
  sentiment: number;
  confidence: number;
  score: number;
  published_at: string;
  metadata: Record<string, unknown>;
}

/** Signal j of a run, shaped like a real one (about 420 bytes as JSON). */
export function signalOf(w: Workload, run: string, j: number, metadata: Record<string, unknown>): SignalBody {
  const k = w.kind === 'all' ? 1 : w.classes;
  const c = j % k;
  const ticker = w.kind === 'ticker' ? TICKERS(c) : TICKERS(1000 + (j % 97));
  return {
    id: `bench-${run}-${j}`,
    ticker,
    title: `${ticker} receives FDA Fast Track designation for lead candidate (bench ${j})`,
    source: 'globenewswire',
    url: `https://example.com/news/${run}/${j}`,
    catalyst: w.kind === 'catalyst' ? catalystName(c) : 'fda',
    sentiment: ((j % 7) - 3) / 4,
    confidence: w.kind === 'confidence' ? level(c, k) : 0.9,
    score: 1 + (j % 50) / 10,
    published_at: '2026-11-23T14:05:00Z',
    metadata: { rvol: 3.1, classifier: 'bench', ...metadata },
  };
}

/** The class of signal j (what the publisher reports per 2xx signal). */
export const classOf = (w: Workload, j: number): number => j % (w.kind === 'all' ? 1 : w.classes);

/** Subscribers (of `subscribers`, filter i mod k) a signal of class c matches. */
export function matchesOf(w: Workload, subscribers: number, c: number): number {
  const k = w.kind === 'all' ? 1 : w.classes;
  const holding = (f: number) => Math.floor(subscribers / k) + (f < subscribers % k ? 1 : 0);
  if (w.kind === 'confidence') {
    let n = 0;
    for (let f = 0; f <= c; f++) n += holding(f);
    return n;
  }
  return holding(c);
}

/** Deliveries owed for published counts per class. */
export function expectedDeliveries(w: Workload, subscribers: number, perClass: number[]): number {
  return perClass.reduce((sum, n, c) => sum + n * matchesOf(w, subscribers, c), 0);
}

/** Mean matches per signal over one cycle of classes. */
export function meanMatches(w: Workload, subscribers: number): number {
  const k = w.kind === 'all' ? 1 : w.classes;
  let s = 0;
  for (let c = 0; c < k; c++) s += matchesOf(w, subscribers, c);
  return s / k;
}

/** Does a signal pass a filter (the baselines' matching; Catalyst has its own). */
export function passes(f: Filters, s: { ticker: string; catalyst: string; confidence: number }): boolean {
  if (f.tickers && !f.tickers.includes(s.ticker)) return false;
  if (f.catalysts && !f.catalysts.includes(s.catalyst)) return false;
  if (f.min_confidence !== undefined && s.confidence < f.min_confidence) return false;
  return true;
}
