// The contract between pipeline stages. Each stage is a plain function over these values; the
// runner (src/pipeline/runner.ts) moves items between stages and records every decision.

/** Which parser reads a feed; also the `kind` in CATALYST_FEEDS (`kind=url`). */
export type FeedKind = 'sec_edgar' | 'globenewswire' | 'prnewswire' | 'rss';

/** Where a ticker came from, best first: structured categories, SEC CIK mapping, then free text. */
export type TickerSource = 'structured' | 'cik' | 'text';

/** One entry as a feed parser read it: no cleaning beyond what the format needs to be read. */
export interface RawItem {
  feed: string; // the configured feed's name
  kind: FeedKind;
  /** The entry's own id (SEC accession number, RSS guid, Atom id), if it has one. */
  guid?: string;
  title: string;
  /** Summary/description as found (may hold HTML and entities). */
  summary: string;
  link?: string;
  /** As found in the document (RFC 822, ISO 8601 with offset, ...). */
  published?: string;
  /** Tickers given by the format itself (GlobeNewswire stock categories), as `EXCHANGE:TICKER`. */
  structuredTickers: string[];
  /** Organisation that issued it (dc:contributor), used to spot law-firm promotions. */
  issuer?: string;
  /** SEC only. */
  sec?: {
    accession: string;
    form: string;
    cik: string;
    company: string;
    role: string;
    items: string[];
    /** Every party the feed listed for this accession (Form 4: Reporting and Issuer), kept one first. */
    parties?: { cik: string; company: string; role: string }[];
  };
  /** The wire's own release id when the format states it (GlobeNewswire dc:identifier). */
  sourceId?: string;
  categories: string[];
}

/** A cleaned, enriched item, ready for dedup and scoring. */
export interface NewsItem {
  /** Stable across polls, restarts and nodes: derived from the source key (accession, guid, URL). */
  id: string;
  feed: string;
  kind: FeedKind;
  /** The source's own key (SEC accession number, wire release id, canonical URL). */
  key: string;
  title: string; // plain text, entities decoded, whitespace collapsed
  summary: string; // plain text
  url?: string; // canonical: https, no tracking parameters, no fragment
  publishedAt: string; // ISO 8601 UTC
  /** Set when the feed gave no readable date: publishedAt is then the fetch time. */
  publishedAtGuessed?: boolean;
  tickers: string[]; // upper case, exchange prefix removed, best source first
  tickerSource?: TickerSource;
  /** The tickers with the exchange each was given for (`Nasdaq:NBTX`), same order; none for CIK. */
  listings?: { exchange?: string; ticker: string }[];
  issuer?: string;
  sec?: RawItem['sec'];
  categories: string[];
}
