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

/**
 * A bench signal shaped like a real one (about 420 bytes as JSON): its content depends only on `k`,
 * so runs compare. Every bench script builds its signals here.
 */
export function benchSignal(
  run: string,
  k: number,
  ticker: string,
  metadata: Record<string, unknown>,
  over: Partial<SignalBody> = {},
): SignalBody {
  return {
    id: `bench-${run}-${k}`,
    ticker,
    title: `${ticker} receives FDA Fast Track designation for lead candidate (bench ${k})`,
    source: 'globenewswire',
    url: `https://example.com/news/${run}/${k}`,
    catalyst: 'fda',
    sentiment: ((k % 7) - 3) / 4,
    confidence: 0.7 + (k % 30) / 100,
    score: 1 + (k % 50) / 10,
    published_at: '2026-11-23T14:05:00Z',
    metadata: { rvol: 3.1, classifier: 'bench', ...metadata },
    ...over,
  };
}

/** Signal j of a run for workload `w`: its class sets the ticker, catalyst or confidence. */
export function signalOf(w: Workload, run: string, j: number, metadata: Record<string, unknown>): SignalBody {
  const k = w.kind === 'all' ? 1 : w.classes;
  const c = j % k;
  const ticker = w.kind === 'ticker' ? TICKERS(c) : TICKERS(1000 + (j % 97));
  return benchSignal(run, j, ticker, metadata, {
    catalyst: w.kind === 'catalyst' ? catalystName(c) : 'fda',
    confidence: w.kind === 'confidence' ? level(c, k) : 0.9,
  });
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
