// Near-duplicate stories: the same news reaches us on several wires (and as re-polls), with titles
// that differ by a few words ("... Phase 2 Data" vs "... Phase 2 Data in Refractory Glioblastoma").
// Pure: the runner persists the fingerprints of recent stories in the event store and hands them
// back here, so a restarted node judges against the same memory as the one that died.
import type { NewsItem } from './item.js';

/** What is kept of a published story to judge later candidates against; small enough to persist. */
export interface StoryFingerprint {
  id: string;
  tickers: string[];
  /** Publication instant, ISO 8601 UTC. */
  publishedAt: string;
  /** Significant title words, normalised, unique, space-separated (see titleWords). */
  words: string;
  url?: string;
  /** SEC filings are one story per accession: their templated titles say nothing about content. */
  sec?: boolean;
}

export const SAME_STORY_WINDOW_MS = 60 * 60 * 1000;
/** Share of the shorter title's significant words that must appear in the longer one. */
export const SAME_STORY_OVERLAP = 0.8;
/** Shorter titles than this (in significant words) match only on identical word sets. */
const MIN_WORDS_FOR_OVERLAP = 3;
const MAX_WORDS = 40;

// Words that carry no story: articles, connectors, and wire boilerplate every release uses.
const STOP_WORDS = new Set(
  (
    'a an and are as at be by for from has have in into is it its of on or over the their this to ' +
    'up upon with will was were after new announce announces announced announcing report reports ' +
    'reported inc incorporated corp corporation co ltd limited plc llc sa ag nv company companies'
  ).split(' '),
);

// Light stemming so "Announces"/"Announced" or "Results"/"Result" meet; enough for headlines.
function stem(word: string): string {
  if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith('ed')) return word.slice(0, -2);
  if (word.length > 4 && word.endsWith('es')) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** The significant words of a title: case and accents folded, punctuation and stop words removed. */
export function titleWords(title: string): string[] {
  const folded = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    // Keep decimals and amounts together ("2.5", "$10m" -> "10m"); everything else splits words.
    .replace(/(\d)[.,](\d)/g, '$1$2')
    .replace(/[^a-z0-9]+/g, ' ');
  const out: string[] = [];
  const seen = new Set<string>();
  for (const w of folded.split(' ')) {
    if (w.length < 2 || STOP_WORDS.has(w)) continue;
    const s = stem(w);
    if (seen.has(s)) continue;
    seen.add(s);
    out.push(s);
    if (out.length === MAX_WORDS) break;
  }
  return out;
}

/** The fingerprint of an item, to persist once it is published (or judged a story of its own). */
export function fingerprint(
  item: Pick<NewsItem, 'id' | 'tickers' | 'title' | 'publishedAt' | 'url' | 'kind'>,
): StoryFingerprint {
  const fp: StoryFingerprint = {
    id: item.id,
    tickers: [...item.tickers],
    publishedAt: item.publishedAt,
    words: titleWords(item.title).join(' '),
  };
  if (item.url !== undefined) fp.url = item.url;
  if (item.kind === 'sec_edgar') fp.sec = true;
  return fp;
}

/**
 * The same story: same item or same canonical URL; otherwise a shared ticker, published within one
 * hour of each other, and at least 80% of the shorter title's significant words in the longer one.
 * Two SEC filings are never merged by title (distinct accessions are distinct filings).
 */
export function sameStory(a: StoryFingerprint, b: StoryFingerprint): boolean {
  if (a.id === b.id) return true;
  if (a.url !== undefined && a.url === b.url) return true;
  if (a.sec && b.sec) return false;
  if (!a.tickers.some((t) => b.tickers.includes(t))) return false;
  const ta = Date.parse(a.publishedAt);
  const tb = Date.parse(b.publishedAt);
  if (!Number.isFinite(ta) || !Number.isFinite(tb) || Math.abs(ta - tb) > SAME_STORY_WINDOW_MS) return false;
  const wa = a.words.split(' ').filter(Boolean);
  const wb = b.words.split(' ').filter(Boolean);
  const [shorter, longer] = wa.length <= wb.length ? [wa, new Set(wb)] : [wb, new Set(wa)];
  if (shorter.length === 0) return false;
  const shared = shorter.filter((w) => longer.has(w)).length;
  if (shorter.length < MIN_WORDS_FOR_OVERLAP) return shared === shorter.length && shared === longer.size;
  return shared / shorter.length >= SAME_STORY_OVERLAP;
}

/**
 * The recent story a candidate repeats, if any (the first in `recent` order). The candidate's own
 * entry (its claim, left by a node that stopped before publishing it) is not a repeat.
 */
export function findDuplicate(
  candidate: StoryFingerprint,
  recent: readonly StoryFingerprint[],
): StoryFingerprint | undefined {
  return recent.find((r) => r.id !== candidate.id && sameStory(candidate, r));
}
