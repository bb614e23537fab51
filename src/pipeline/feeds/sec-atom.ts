// SEC EDGAR "latest filings" Atom (browse-edgar?action=getcurrent&output=atom) -> RawItem[].
// The feed lists one entry per party of a filing; entries are collapsed by accession number,
// keeping the party a ticker can be found for (the issuer or subject company, not the insider).
import type { RawItem } from '../item.js';
import { attr, list, readFeedDocument, text, type XmlNode } from './xml.js';
import { FeedFormatError } from './format-error.js';
import { formMatcher } from './sec-forms.js';

export interface SecParseOptions {
  /** Forms to keep, matched exactly (`type` is a prefix match at SEC). Empty or absent: all. */
  forms?: readonly string[];
  /** 10-digit CIK -> ticker; decides which party of a multi-party filing is kept. */
  cikTickers?: ReadonlyMap<string, string>;
}

const TITLE = /^(.+?) - (.+) \((\d{10})\) \(([^)]+)\)$/;
const ACCESSION = /\d{10}-\d{2}-\d{6}/;
const ITEM = /\bItem (\d{1,2}\.\d{2})\b/g;
// Roles whose company is the one the filing is about, so the one a ticker belongs to.
const ROLE_RANK: Record<string, number> = { Issuer: 0, Subject: 0, Filer: 1, Reporting: 2, 'Filed by': 2 };

type SecItem = RawItem & { sec: NonNullable<RawItem['sec']> };

function readEntry(entry: XmlNode, feed: string): SecItem | undefined {
  const title = text(entry.title).replace(/\s+/g, ' ').trim();
  const m = TITLE.exec(title);
  if (!m) return undefined;
  const [, titleForm, company, cik, role] = m as unknown as [string, string, string, string, string];
  const summary = text(entry.summary);
  const accession = ACCESSION.exec(text(entry.id))?.[0] ?? ACCESSION.exec(summary)?.[0];
  if (!accession) return undefined;
  const category = list(entry.category).find((c) => attr(c, 'term'));
  const form = (category ? attr(category, 'term') : undefined)?.trim() || titleForm.trim();
  const links = list(entry.link);
  const link = links.find((l) => attr(l, 'rel') === 'alternate') ?? links[0];
  const items = [...new Set([...summary.matchAll(ITEM)].map((x) => x[1] as string))];
  return {
    feed,
    kind: 'sec_edgar',
    guid: accession,
    title,
    summary,
    link: attr(link, 'href'),
    published: text(entry.updated).trim() || undefined,
    structuredTickers: [],
    sec: { accession, form, cik, company, role, items },
    categories: [form],
  };
}

function preferred(a: SecItem, b: SecItem, tickers: ReadonlyMap<string, string>): SecItem {
  const hasA = tickers.has(a.sec.cik) ? 0 : 1;
  const hasB = tickers.has(b.sec.cik) ? 0 : 1;
  if (hasA !== hasB) return hasA < hasB ? a : b;
  return (ROLE_RANK[b.sec.role] ?? 3) < (ROLE_RANK[a.sec.role] ?? 3) ? b : a;
}

/**
 * Entries whose title, accession or form cannot be read are skipped (the rest of the feed is
 * still good); a body that is not an Atom feed throws FeedFormatError.
 */
export function parseSecAtom(body: string, feed: string, opts: SecParseOptions = {}): RawItem[] {
  const doc = readFeedDocument(body);
  if (doc.format !== 'atom') throw new FeedFormatError('invalid', 'an SEC getcurrent feed must be Atom');
  const keep = formMatcher(opts.forms);
  const tickers = opts.cikTickers ?? new Map<string, string>();
  const byAccession = new Map<string, SecItem[]>();
  for (const e of list(doc.feed.entry)) {
    const item = readEntry(e as XmlNode, feed);
    if (!item || !keep(item.sec.form)) continue;
    const parties = byAccession.get(item.sec.accession);
    if (parties) parties.push(item);
    else byAccession.set(item.sec.accession, [item]);
  }
  // Map order is first-seen order, so the feed's newest-first order is kept.
  return [...byAccession.values()].map((parties) => {
    const kept = parties.reduce((a, b) => preferred(a, b, tickers));
    const all = [kept, ...parties.filter((p) => p !== kept)];
    return {
      ...kept,
      sec: { ...kept.sec, parties: all.map(({ sec: { cik, company, role } }) => ({ cik, company, role })) },
    };
  });
}
