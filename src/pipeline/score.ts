// The multi-factor score and the signals an item becomes. Pure: the runner gathers the judgement
// (LLM or keywords) and the market facts (within its deadline) and passes them in.
//
// One signal per ticker: a release naming two listed companies (a merger, a dual listing) is news
// for each, and each ticker has its own volume and float. At most MAX_TICKERS_PER_ITEM, best
// ticker source first. Ids are `<item id>:<ticker>`, so a re-poll, a restart or a second node
// derives the same ids and the store's idempotency keeps every signal single.
import { createHash } from 'node:crypto';
import { SIGNAL_LIMITS, type SignalInput } from '../domain/signal.js';
import { truncate } from '../domain/text.js';
import type { Classification } from './classifier-port.js';
import type { NewsItem } from './item.js';
import type { Keywords, Polarity } from './keywords.js';
import type { PrescaleDecision } from './prescale.js';

export const MAX_TICKERS_PER_ITEM = 3;
/** A keyword-only judgement never reaches what an LLM-confirmed signal can. */
export const KEYWORD_CONFIDENCE_CAP = 0.75;
/** Base confidence for a category the keyword data does not know (an LLM's own category). */
export const DEFAULT_BASE_CONFIDENCE = 0.7;
/** Below this 20-day mean volume RVOL is noise (one block trade doubles it). */
export const RVOL_MIN_AVG_VOLUME = 100_000;

export interface Judgement {
  classifier: 'llm' | 'keywords';
  /** Lower snake case. */
  category: string;
  /** -1..1 */
  sentiment: number;
  reason: string;
  prescale: PrescaleDecision;
  /** The LLM's own score (0..1), when it judged. */
  llmScore?: number;
}

/** The keyword model's judgement alone (no LLM configured, or its breaker open). */
export function keywordJudgement(prescale: PrescaleDecision): Judgement {
  return {
    classifier: 'keywords',
    category: prescale.primary?.name ?? 'other',
    sentiment: prescale.sentiment,
    reason: prescale.detail,
    prescale,
  };
}

export function llmJudgement(c: Classification, prescale: PrescaleDecision): Judgement {
  return {
    classifier: 'llm',
    category: snakeCase(c.category),
    sentiment: c.sentiment,
    reason: c.reason,
    prescale,
    llmScore: c.score,
  };
}

/** What the runner learnt about one ticker; `missing` says why a fact is absent. */
export interface MarketFacts {
  avgVolume?: number;
  sessions?: number;
  todayVolume?: number;
  sharesOutstanding?: number;
  floatShares?: number;
  /** Per fact: 'late' (deadline passed), 'unavailable' (provider failed), 'unknown', 'not_configured'... */
  missing?: Partial<Record<'baseline' | 'todayVolume' | 'shares', string>>;
}

export interface Factor {
  multiplier: number;
  applied: boolean;
  /** Whether the factor was computed (its multiplier may still be 1); when not, `note` says why. */
  note: string;
  [k: string]: unknown;
}

const round = (x: number, places = 4) => Math.round(x * 10 ** places) / 10 ** places;
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

function snakeCase(s: string): string {
  const v = s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, SIGNAL_LIMITS.catalystMax);
  return /^[a-z]/.test(v) ? v : 'other';
}

const whyMissing = (facts: MarketFacts, ...keys: ('baseline' | 'todayVolume' | 'shares')[]) =>
  keys.map((k) => `${k} ${facts.missing?.[k] ?? 'missing'}`).join(', ');

// [lower bound, multiplier, label], first match wins.
const RVOL_BANDS: [number, number, string][] = [
  [5, 1.4, '>=5'],
  [3, 1.3, '3-5'],
  [2, 1.2, '2-3'],
  [1, 1.0, '1-2'],
  [0, 0.8, '<1'],
];
// [upper bound (exclusive), multiplier, label], first match wins.
const FLOAT_BANDS: [number, number, string][] = [
  [5e6, 1.3, '<5M'],
  [20e6, 1.2, '5-20M'],
  [Infinity, 1.0, '>=20M'],
];

/** RVOL = today's cumulative volume / 20-session mean, raw (not adjusted for the time of day). */
export function rvolFactor(facts: MarketFacts): Factor {
  const { avgVolume, todayVolume } = facts;
  if (avgVolume === undefined || todayVolume === undefined) {
    const absent = [avgVolume === undefined && 'baseline', todayVolume === undefined && 'todayVolume'].filter(
      (k): k is 'baseline' | 'todayVolume' => !!k,
    );
    return { multiplier: 1, applied: false, note: `no RVOL: ${whyMissing(facts, ...absent)}` };
  }
  // Bands compare the exact ratio; the rounded one is for reading.
  const ratio = avgVolume > 0 ? todayVolume / avgVolume : undefined;
  const base = {
    basis: 'raw',
    rvol: ratio === undefined ? undefined : round(ratio, 2),
    avg_volume_20d: Math.round(avgVolume),
    today_volume: todayVolume,
  };
  if (avgVolume < RVOL_MIN_AVG_VOLUME || ratio === undefined) {
    return {
      ...base,
      multiplier: 1,
      applied: false,
      note: `20-day mean volume under ${RVOL_MIN_AVG_VOLUME}`,
    };
  }
  const [, multiplier, band] = RVOL_BANDS.find(([min]) => ratio >= min)!;
  return { ...base, sessions: facts.sessions, multiplier, applied: true, note: `RVOL ${band}` };
}

/** Small floats move most. Shares outstanding stand in for the float when the provider has no float. */
export function floatFactor(facts: MarketFacts): Factor {
  const shares = facts.floatShares ?? facts.sharesOutstanding;
  if (shares === undefined)
    return { multiplier: 1, applied: false, note: `no float: ${whyMissing(facts, 'shares')}` };
  const basis = facts.floatShares !== undefined ? 'float' : 'shares_outstanding';
  const [, multiplier, band] = FLOAT_BANDS.find(([max]) => shares < max)!;
  return { basis, shares, multiplier, applied: true, note: `float ${band}` };
}

interface Direction {
  sentiment: number;
  polarity: Polarity | undefined;
  forced?: string;
}

/** Negative news is never a buy: a negative category (the judge's or any the keywords found) forces sentiment below zero. */
function direction(j: Judgement, keywords: Keywords): Direction {
  const polarity = keywords.data.categories[j.category]?.polarity;
  const negative =
    polarity === 'negative' ? j.category : j.prescale.matches.find((m) => m.polarity === 'negative')?.name;
  if (negative !== undefined && j.sentiment >= 0) {
    return {
      sentiment: -0.5,
      polarity: 'negative',
      forced: `negative category ${negative}: sentiment set below zero`,
    };
  }
  return { sentiment: clamp(j.sentiment, -1, 1), polarity: negative !== undefined ? 'negative' : polarity };
}

/** Per-category base, raised when the sentiment agrees with the category's direction, lowered when it contradicts. */
export function confidenceOf(
  j: Judgement,
  keywords: Keywords,
  sentiment: number,
  polarity: Polarity | undefined,
) {
  const base = keywords.data.categories[j.category]?.confidence ?? DEFAULT_BASE_CONFIDENCE;
  const expected = polarity === 'negative' ? -1 : polarity === 'positive' ? 1 : Math.sign(sentiment);
  const adjustment = Math.sign(sentiment) === expected ? round(0.05 * Math.abs(sentiment)) : -0.1;
  let confidence = clamp(base + adjustment, 0, 1);
  if (j.classifier === 'keywords') confidence = Math.min(confidence, KEYWORD_CONFIDENCE_CAP);
  return { base, adjustment, confidence: round(confidence) };
}

// The protocol's ticker rule (src/domain/signal.ts).
const TICKER = /^[A-Z0-9.-]{1,10}$/;

/** How much of the market data arrived: 'complete', 'partial' or 'none'. */
function marketCoverage(facts: MarketFacts): string {
  const missing = Object.keys(facts.missing ?? {}).length;
  return missing === 0 ? 'complete' : missing >= 3 ? 'none' : 'partial';
}

function signalId(itemId: string, ticker: string): string {
  const id = `${itemId}:${ticker}`;
  if (id.length <= SIGNAL_LIMITS.idMax && /^[\x21-\x7e]+$/.test(id)) return id;
  return `h${createHash('sha256').update(itemId).digest('hex').slice(0, 40)}:${ticker}`;
}

/** Trims the optional parts until the JSON fits the protocol's metadata limit. */
function fitMetadata(m: Record<string, unknown>): Record<string, unknown> {
  const size = () => Buffer.byteLength(JSON.stringify(m));
  const limit = SIGNAL_LIMITS.metadataMaxBytes - 256; // margin for the runner's timeline stamps
  if (size() > limit) delete m.prescale;
  if (size() > limit) m.reasons = (m.reasons as string[]).slice(0, 3).map((r) => truncate(r, 100));
  return m;
}

export interface BuildOptions {
  /** Facts per ticker; a ticker absent here is scored unadjusted ("not fetched"). */
  market: Record<string, MarketFacts>;
  /** Merged into metadata under its own keys (the runner's timeline, for instance). */
  metadata?: Record<string, unknown>;
}

/**
 * The signals an item becomes, one per ticker (at most MAX_TICKERS_PER_ITEM; tickers the protocol
 * would refuse are skipped, so an item left without any gives no signal).
 */
export function buildSignals(
  item: NewsItem,
  j: Judgement,
  keywords: Keywords,
  opts: BuildOptions,
): SignalInput[] {
  const { sentiment, polarity, forced } = direction(j, keywords);
  const conf = confidenceOf(j, keywords, sentiment, polarity);
  const catalyst = snakeCase(j.category);
  const tickers = item.tickers.filter((t) => TICKER.test(t)).slice(0, MAX_TICKERS_PER_ITEM);
  return tickers.map((ticker) => {
    const facts = opts.market[ticker] ?? {
      missing: { baseline: 'not fetched', todayVolume: 'not fetched', shares: 'not fetched' },
    };
    const rvol = rvolFactor(facts);
    const float = floatFactor(facts);
    const reasons = [truncate(j.reason, 300)];
    if (forced) reasons.push(forced);
    if (j.classifier === 'keywords')
      reasons.push(`keyword model alone: confidence capped at ${KEYWORD_CONFIDENCE_CAP}`);
    for (const f of [rvol, float]) if (!f.applied) reasons.push(f.note);
    const metadata: Record<string, unknown> = {
      ...opts.metadata,
      classifier: j.classifier,
      source_key: item.key,
      feed_kind: item.kind,
      ...(item.sec ? { sec: { accession: item.sec.accession, form: item.sec.form, cik: item.sec.cik } } : {}),
      market: marketCoverage(facts),
      ...(facts.missing ? { market_missing: facts.missing } : {}),
      factors: {
        base_confidence: conf.base,
        sentiment_adjustment: conf.adjustment,
        rvol,
        float,
      },
      prescale: {
        relevance: j.prescale.relevance,
        categories: j.prescale.matches.map((m) => m.name),
      },
      ...(j.llmScore !== undefined ? { llm: { score: j.llmScore, category: j.category } } : {}),
      reasons,
    };
    const signal: SignalInput = {
      id: signalId(item.id, ticker),
      ticker,
      title: truncate(item.title, SIGNAL_LIMITS.titleMax),
      source: truncate(item.feed, SIGNAL_LIMITS.sourceMax),
      catalyst,
      sentiment: round(sentiment),
      confidence: conf.confidence,
      score: round(conf.confidence * rvol.multiplier * float.multiplier),
      published_at: item.publishedAt,
      metadata: fitMetadata(metadata),
    };
    if (item.url !== undefined) signal.url = item.url;
    return signal;
  });
}
