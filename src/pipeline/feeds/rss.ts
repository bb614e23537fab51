// RSS 2.0 / RSS 1.0 / Atom -> RawItem[], for GlobeNewswire, PR Newswire and any other feed URL.
// GlobeNewswire states tickers as `<category domain=".../rss/stock">Nasdaq:NBTX</category>`; PR
// Newswire has none (normalize reads them from the text). dc:contributor is the issuing
// organisation on both wires.
import type { FeedKind, RawItem } from '../item.js';
import { attr, firstText, list, optional, readFeedDocument, text, type XmlNode } from './xml.js';

export type RssKind = Exclude<FeedKind, 'sec_edgar'>;

const isStockDomain = (d: string | undefined) => d !== undefined && /\/rss\/stock\/?$/i.test(d);
// Other structured categories (ISIN, ...) are identifiers, not subjects.
const isSubject = (d: string | undefined) => d === undefined || d.trim() === '';

function readRssItem(item: XmlNode, feed: string, kind: RssKind): RawItem {
  const categories = list(item.category);
  const structured =
    kind === 'prnewswire'
      ? []
      : categories.filter((c) => isStockDomain(attr(c, 'domain'))).map((c) => text(c).trim());
  const link = firstText(item.link);
  return {
    feed,
    kind,
    guid: firstText(item.guid) ?? link,
    title: text(item.title),
    summary: text(item.description) || text(item.encoded) || text(item.summary),
    link,
    published: firstText(item.pubDate) ?? firstText(item.date),
    structuredTickers: structured.filter((t) => t !== ''),
    issuer: optional(text(item.contributor)) ?? optional(text(item.creator)),
    sourceId: kind === 'globenewswire' ? optional(text(item.identifier)) : undefined,
    categories: categories
      .filter((c) => isSubject(attr(c, 'domain')))
      .map((c) => text(c).trim())
      .filter((c) => c !== ''),
  };
}

function readAtomEntry(entry: XmlNode, feed: string, kind: RssKind): RawItem {
  const links = list(entry.link);
  const link =
    links.find((l) => (attr(l, 'rel') ?? 'alternate') === 'alternate' && attr(l, 'href')) ?? links[0];
  const categories = list(entry.category);
  return {
    feed,
    kind,
    guid: optional(text(entry.id)),
    title: text(entry.title),
    summary: text(entry.summary) || text(entry.content),
    link: attr(link, 'href')?.trim(),
    published: optional(text(entry.published)) ?? optional(text(entry.updated)),
    structuredTickers: categories
      .filter((c) => isStockDomain(attr(c, 'scheme')))
      .map((c) => (attr(c, 'term') ?? '').trim())
      .filter((t) => t !== ''),
    issuer: optional(text((list(entry.author)[0] as XmlNode | undefined)?.name)),
    categories: categories
      .filter((c) => !isStockDomain(attr(c, 'scheme')))
      .map((c) => (attr(c, 'label') ?? attr(c, 'term') ?? '').trim())
      .filter((c) => c !== ''),
  };
}

/** Items in document order; a body that is not a feed throws FeedFormatError. */
export function parseRss(body: string, feed: string, kind: RssKind): RawItem[] {
  const doc = readFeedDocument(body);
  if (doc.format === 'atom') return list(doc.feed.entry).map((e) => readAtomEntry(e as XmlNode, feed, kind));
  return list(doc.channel.item).map((i) => readRssItem(i as XmlNode, feed, kind));
}
