// PR Newswire RSS in the real shape: standard dc namespace, no structured tickers (only
// `(NYSE: PWEC)` in the text), links sometimes carrying a `?tc=` tracking query.
import { dateline, prnDate, xmlEscape } from './formats.js';
import { sampleDocument } from './aged.js';
import { slug, type WireRelease } from './wire-release.js';

const PRN = 'https://www.prnewswire.com';

export const PRN_RELEASES: WireRelease[] = [
  {
    // The GlobeNewswire story of NeuroBiotix again, its title without the indication.
    id: '302612345',
    title: 'NeuroBiotix Announces Positive Phase 2 Results for NBX-101',
    city: 'SAN DIEGO',
    body: 'NeuroBiotix Therapeutics, Inc. (Nasdaq: NBTX), a clinical-stage biotechnology company, today announced positive topline results from its Phase 2 trial of NBX-101 in refractory glioblastoma.',
    issuer: 'NeuroBiotix Therapeutics, Inc.',
    subjects: ['BIO', 'FDA'],
    minutesAgo: 2,
  },
  {
    id: '302612298',
    title: 'Pacific West Energy Signs 20-Year Power Purchase Agreement with Cascadia Utilities',
    city: 'PORTLAND, Ore.',
    body: 'Pacific West Energy Corp (NYSE: PWEC) today announced a 20-year power purchase agreement with Cascadia Utilities for 400 MW of wind capacity, the largest contract in the company&#39;s history.',
    issuer: 'Pacific West Energy Corp',
    subjects: ['ENI', 'CON'],
    minutesAgo: 7,
    tracking: 'tc=eml_cleartime',
  },
  {
    id: '302612270',
    title: 'Marlow & Finch Therapeutics Announces Pricing of $15 Million Public Offering',
    city: 'CAMBRIDGE, Mass.',
    body: 'Marlow &amp; Finch Therapeutics Inc. (NASDAQ:MFTX) today announced the pricing of an underwritten public offering of 6,000,000 shares of its common stock and accompanying warrants at $2.50 per share.',
    issuer: 'Marlow & Finch Therapeutics Inc.',
    subjects: ['FNC', 'STS'],
    minutesAgo: 11,
  },
  {
    id: '302612244',
    title: 'Kestrel Quantum Regains Compliance with NYSE American Continued Listing Standards',
    city: 'AUSTIN, Texas',
    body: 'Kestrel Quantum Corp (nyse american:kqc) today announced that it has regained compliance with the NYSE American continued listing standards.',
    issuer: 'Kestrel Quantum Corp',
    subjects: ['STS'],
    minutesAgo: 16,
  },
];

export function renderPrnItem(r: WireRelease, at: Date): string {
  const permalink = `${PRN}/news-releases/${slug(r.title).toLowerCase()}-${r.id}.html`;
  const link = r.tracking ? `${permalink}?${r.tracking}` : permalink;
  return `<item>
<title>${xmlEscape(r.title)}</title>
<link>${xmlEscape(link)}</link>
<description><![CDATA[<p>${r.city}, ${dateline(at, ' ')} /PRNewswire/ -- ${r.body}</p>]]></description>
<pubDate>${prnDate(at)}</pubDate>
<guid>${permalink}</guid>
<dc:contributor>${xmlEscape(r.issuer)}</dc:contributor>
${r.subjects.map((s) => `<category>${xmlEscape(s)}</category>`).join('\n')}
</item>`;
}

export function renderPrnFeed(items: string[], updated: Date): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>All News Releases</title>
<link>${PRN}/</link>
<description>All News Releases</description>
<language>en-us</language>
<lastBuildDate>${prnDate(updated)}</lastBuildDate>
${items.join('\n')}
</channel>
</rss>
`;
}

export const prnSampleFeed = (now: Date, releases: WireRelease[] = PRN_RELEASES): string =>
  sampleDocument(releases, now, renderPrnItem, renderPrnFeed);
