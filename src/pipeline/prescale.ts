// Keyword prescale: a cheap, pure first judgement that keeps most items away from the LLM. It also
// is the whole judgement when no LLM answers (the keyword fallback), so its output carries the
// category, direction and base confidence a signal needs.
import type { NewsItem } from './item.js';
import { normaliseText, type Keywords, type Polarity } from './keywords.js';

export interface CategoryMatch {
  name: string;
  polarity: Polarity;
  weight: number;
  confidence: number;
  /** The first phrase (or `form:<type>`, `item:<8-K item>`) that matched: the evidence, for admins. */
  matched: string;
}

export type PrescaleReason = 'relevant' | 'law_firm_promotion' | 'no_keywords' | 'below_threshold';

export interface PrescaleDecision {
  pass: boolean;
  reason: PrescaleReason;
  /** One line for the decision log. */
  detail: string;
  relevance: number;
  threshold: number;
  sourceWeight: number;
  credibility: number;
  /** Each matched category once, strongest first. */
  matches: CategoryMatch[];
  /**
   * The category a signal would carry: the strongest negative one when any matched (bad news
   * outweighs good in the same release: "FDA clearance; prices $10M offering" is an offering),
   * else the strongest positive one.
   */
  primary?: CategoryMatch;
  /** -1..1; never above zero when a negative category matched. */
  sentiment: number;
}

type ItemFields = Pick<NewsItem, 'kind' | 'feed' | 'title' | 'summary' | 'url' | 'issuer' | 'sec'>;

const round = (x: number) => Math.round(x * 1e4) / 1e4;

function hostOf(url: string | undefined): string | undefined {
  if (!url || !URL.canParse(url)) return undefined;
  return new URL(url).hostname.toLowerCase();
}

/** Credibility of the item's host (www. and other subdomains fall back to the parent), else of its feed name. */
export function credibilityOf(item: Pick<NewsItem, 'feed' | 'url'>, keywords: Keywords): number {
  const table = keywords.data.sources.credibility;
  let host = hostOf(item.url);
  while (host) {
    const c = table[host];
    if (c !== undefined) return c;
    const dot = host.indexOf('.');
    host = dot < 0 || host.indexOf('.', dot + 1) < 0 ? undefined : host.slice(dot + 1);
  }
  return table[item.feed.toLowerCase()] ?? keywords.data.sources.defaultCredibility;
}

/** The promotion phrase an item matches (issuer first, then title), if any. */
export function promotionMatch(item: Pick<NewsItem, 'title' | 'issuer'>, keywords: Keywords) {
  if (item.issuer) {
    const issuer = normaliseText(item.issuer);
    const hit = keywords.promotionIssuers.find((p) => p.re.test(issuer));
    if (hit) return { field: 'issuer' as const, phrase: hit.phrase };
  }
  const title = normaliseText(item.title);
  const hit = keywords.promotionTitles.find((p) => p.re.test(title));
  return hit ? { field: 'title' as const, phrase: hit.phrase } : undefined;
}

function matchCategories(item: ItemFields, keywords: Keywords): CategoryMatch[] {
  const text = normaliseText(`${item.title} . ${item.summary} . ${(item.sec?.items ?? []).join(' . ')}`);
  const form = item.sec?.form.toUpperCase();
  // "Item 1.01: Entry into..." or just "1.01": the number is what the data names.
  const secItems = (item.sec?.items ?? [])
    .map((i) => /\d{1,2}\.\d{2}/.exec(i)?.[0])
    .filter((n) => n !== undefined);
  const matches: CategoryMatch[] = [];
  for (const c of keywords.categories) {
    const secItem = secItems.find((n) => c.itemSet.has(n));
    const matched =
      form !== undefined && c.formSet.has(form)
        ? `form:${form}`
        : secItem !== undefined
          ? `item:${secItem}`
          : c.patterns.find((p) => p.re.test(text))?.phrase;
    if (matched === undefined) continue;
    matches.push({ name: c.name, polarity: c.polarity, weight: c.weight, confidence: c.confidence, matched });
  }
  return matches.sort((a, b) => b.weight - a.weight || a.name.localeCompare(b.name));
}

/** Direction from the matched categories: more categories of one polarity, stronger conviction. */
function sentimentOf(matches: CategoryMatch[]): number {
  const neg = matches.filter((m) => m.polarity === 'negative').length;
  const pos = matches.length - neg;
  if (neg > 0) return -Math.min(0.9, 0.5 + 0.1 * neg);
  if (pos > 0) return Math.min(0.9, 0.5 + 0.1 * pos);
  return 0;
}

export function prescale(item: ItemFields, keywords: Keywords): PrescaleDecision {
  const { threshold } = keywords.data;
  const sourceWeight = keywords.data.sources.kinds[item.kind];
  const credibility = credibilityOf(item, keywords);
  const base = { threshold, sourceWeight, credibility };
  const promo = promotionMatch(item, keywords);
  if (promo) {
    return {
      ...base,
      pass: false,
      reason: 'law_firm_promotion',
      detail: `promotion: ${promo.field} matches "${promo.phrase}"`,
      relevance: 0,
      matches: [],
      sentiment: 0,
    };
  }
  const matches = matchCategories(item, keywords);
  const sum = matches.reduce((s, m) => s + m.weight, 0);
  const relevance = round(sum * sourceWeight * credibility);
  const primary = matches.find((m) => m.polarity === 'negative') ?? matches[0];
  const decision = { ...base, relevance, matches, primary, sentiment: sentimentOf(matches) };
  if (matches.length === 0) {
    return { ...decision, pass: false, reason: 'no_keywords', detail: 'no keyword category matched' };
  }
  const names = matches.map((m) => m.name).join(', ');
  if (relevance <= threshold) {
    return {
      ...decision,
      pass: false,
      reason: 'below_threshold',
      detail: `relevance ${relevance} <= ${threshold} (${names})`,
    };
  }
  return { ...decision, pass: true, reason: 'relevant', detail: `relevance ${relevance} (${names})` };
}
