// RawItem -> NewsItem: plain text, UTC instant, canonical URL, a stable id from the source's own
// key, and tickers from the best source available (structured, then SEC CIK, then text).
import { createHash } from 'node:crypto';
import { canonicalUrl } from './canonical-url.js';
import { utcInstant } from './instant.js';
import type { NewsItem, RawItem, TickerSource } from './item.js';
import { plainText } from './plain-text.js';
import { listingsFromText, orderListings, parseListing, type Listing } from './tickers.js';

export interface NormalizeContext {
  /** When the feed was fetched: the publication instant of an item whose date cannot be read. */
  fetchedAt: Date;
  /** 10-digit CIK -> ticker, from SEC's company_tickers.json. */
  cikTickers?: ReadonlyMap<string, string>;
}

const GNW_RELEASE = /\/news-release\/\d{4}\/\d{2}\/\d{2}\/(\d+)\//;
const PRN_RELEASE = /-(\d{6,})\.html?(?:[?#]|$)/;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The source's own key and the signal id derived from it (printable ASCII, <= 200 chars). */
function sourceKey(raw: RawItem, url: string | undefined): { id: string; key: string } {
  if (raw.sec) return { id: `sec:${raw.sec.accession}`, key: raw.sec.accession };
  const links = [raw.link, raw.guid].filter((l): l is string => l !== undefined);
  if (raw.kind === 'globenewswire') {
    const release = /^\d{1,20}$/.test(raw.sourceId ?? '')
      ? raw.sourceId
      : links.map((l) => GNW_RELEASE.exec(l)?.[1]).find(Boolean);
    if (release) return { id: `gnw:${release}`, key: release };
  }
  if (raw.kind === 'prnewswire') {
    const release = links.map((l) => PRN_RELEASE.exec(l)?.[1]).find(Boolean);
    if (release) return { id: `prn:${release}`, key: release };
  }
  const key = raw.guid?.trim() || url || `${raw.feed}\n${raw.title}\n${raw.published ?? ''}`;
  return { id: `rss:${sha256(key).slice(0, 32)}`, key };
}

function enrich(
  raw: RawItem,
  text: string,
  cikTickers: ReadonlyMap<string, string> | undefined,
): { listings: Listing[]; source?: TickerSource } {
  const structured = orderListings(
    raw.structuredTickers.map(parseListing).filter((l): l is Listing => l !== undefined),
  );
  if (structured.length > 0) return { listings: structured, source: 'structured' };
  if (raw.sec && cikTickers) {
    const ciks = [raw.sec.cik, ...(raw.sec.parties ?? []).map((p) => p.cik)];
    const ticker = ciks.map((c) => cikTickers.get(c)).find((t) => t !== undefined);
    if (ticker) return { listings: [{ ticker }], source: 'cik' };
  }
  const fromText = orderListings(listingsFromText(text));
  return fromText.length > 0 ? { listings: fromText, source: 'text' } : { listings: [] };
}

export function normalize(raw: RawItem, ctx: NormalizeContext): NewsItem {
  const title = plainText(raw.title);
  const summary = plainText(raw.summary);
  const url = canonicalUrl(raw.link) ?? canonicalUrl(raw.guid);
  const { id, key } = sourceKey(raw, url);
  const published = utcInstant(raw.published);
  const { listings, source } = enrich(raw, `${title}\n${summary}`, ctx.cikTickers);
  const item: NewsItem = {
    id,
    feed: raw.feed,
    kind: raw.kind,
    key,
    title,
    summary,
    url,
    publishedAt: published ?? ctx.fetchedAt.toISOString(),
    tickers: listings.map((l) => l.ticker),
    tickerSource: source,
    listings,
    issuer: raw.issuer === undefined ? undefined : plainText(raw.issuer) || undefined,
    sec: raw.sec,
    categories: raw.categories.map(plainText).filter((c) => c !== ''),
  };
  if (!published) item.publishedAtGuessed = true;
  return item;
}
