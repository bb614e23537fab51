// GlobeNewswire RSS in the real shape: `dc` bound to a non-standard URI, attributes wrapped onto
// new lines, CDATA descriptions with entities and double spaces, pubDate without seconds.
import { dateline, gnwDate, xmlEscape } from './formats.js';
import { sampleDocument } from './aged.js';
import { slug, type WireRelease } from './wire-release.js';

const GNW = 'https://www.globenewswire.com';

export const GNW_RELEASES: WireRelease[] = [
  {
    id: '3187654',
    title: 'NeuroBiotix Announces Positive Phase 2 Results for NBX-101 in Refractory Glioblastoma',
    city: 'SAN DIEGO',
    body: 'NeuroBiotix Therapeutics, Inc. (Nasdaq: NBTX) (&ldquo;NeuroBiotix&rdquo; or the &ldquo;Company&rdquo;), a clinical-stage biotechnology company, today announced positive topline results from its Phase 2 trial of NBX-101.  The trial met its primary endpoint of progression-free survival &amp; showed a favourable safety profile.',
    issuer: 'NeuroBiotix Therapeutics, Inc.',
    stocks: ['Nasdaq:NBTX'],
    isin: 'US64130X1000',
    subjects: ['Clinical Study'],
    minutesAgo: 4,
  },
  {
    id: '3187602',
    title: 'Corvana Biosciences Receives FDA Approval of CORVIQ for Adults with Hereditary Angioedema',
    city: 'BOSTON',
    body: 'Corvana Biosciences Inc. (Nasdaq: CRVB) today announced that the U.S. Food and Drug Administration (FDA) has approved CORVIQ&trade; for the prevention of attacks in adults with hereditary angioedema.  Corvana expects to launch CORVIQ in the first quarter.',
    issuer: 'Corvana Biosciences Inc.',
    stocks: ['Nasdaq:CRVB'],
    isin: 'US22088C1036',
    subjects: ['Regulatory Announcement'],
    minutesAgo: 8,
  },
  {
    id: '3187591',
    title: 'Hollow Valley Minerals Intersects 12.4 g/t Gold over 18 Metres at Raven Creek',
    city: 'VANCOUVER, British Columbia',
    body: 'Hollow Valley Minerals Corp. (TSX-V: HVM) (OTCQB: HVMNF) (&quot;Hollow Valley&quot;) is pleased to report assay results from its 2026 drill program at the Raven Creek project.',
    issuer: 'Hollow Valley Minerals Corp.',
    stocks: ['TSX-V:HVM', 'OTCQB:HVMNF'],
    isin: 'CA43600H1010',
    subjects: ['Company Announcement', 'Mergers and Acquisitions'],
    minutesAgo: 15,
  },
  {
    id: '3187577',
    title:
      'INVESTOR ALERT: Brandt & Kessler LLP Investigates Claims on Behalf of Investors of Kestrel Quantum Corp',
    city: 'NEW YORK',
    body: 'Brandt &amp; Kessler LLP announces that it is investigating potential claims on behalf of shareholders of Kestrel Quantum Corp (NYSE American: KQC).  Investors who purchased shares are encouraged to contact the firm.',
    issuer: 'Brandt & Kessler LLP',
    subjects: ['Law & Legal Issues'],
    minutesAgo: 18,
  },
  {
    id: '3187560',
    title: 'Sunridge Organics Opens New Distribution Center in Columbus, Ohio',
    city: 'COLUMBUS, Ohio',
    body: 'Sunridge Organics, a privately held grower of organic produce, today opened a 240,000-square-foot distribution center that will employ 180 people.',
    issuer: 'Sunridge Organics LLC',
    subjects: ['Business Operations'],
    minutesAgo: 25,
  },
];

const releaseUrl = (r: WireRelease, at: Date) => {
  const d = at.toISOString();
  return `${GNW}/news-release/${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)}/${r.id}/0/en/${slug(r.title)}.html`;
};

export function renderGnwItem(r: WireRelease, at: Date): string {
  const url = releaseUrl(r, at);
  const cats = [
    ...(r.stocks ?? []).map((s) => ['https://www.globenewswire.com/rss/stock', s]),
    ...(r.isin ? [['https://www.globenewswire.com/rss/ISIN', r.isin]] : []),
  ];
  return `    <item>
      <guid
        isPermaLink="true">${url}</guid>
      <link>${url}</link>
${cats.map(([d, v]) => `      <category\n        domain="${d}">${xmlEscape(v as string)}</category>`).join('\n')}
${r.subjects.map((s) => `      <category>${xmlEscape(s)}</category>`).join('\n')}
      <title>${xmlEscape(r.title)}</title>
      <description><![CDATA[<p align="justify">${r.city}, ${dateline(at, '  ')}  (GLOBE NEWSWIRE) -- ${r.body}</p>]]></description>
      <pubDate>${gnwDate(at)}</pubDate>
      <dc:identifier>${r.id}</dc:identifier>
      <dc:language>en</dc:language>
      <dc:publisher>GlobeNewswire Inc.</dc:publisher>
      <dc:contributor>${xmlEscape(r.issuer)}</dc:contributor>
      <dc:modified>${gnwDate(at)}</dc:modified>
      <dc:keyword>${xmlEscape(r.subjects[0] ?? '')}</dc:keyword>
    </item>`;
}

export function renderGnwFeed(items: string[], updated: Date): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<rss
  xmlns:dc="http://dublincore.org/documents/dcmi-namespace/"
  version="2.0">
  <channel>
    <title>GlobeNewswire - News about Public Companies</title>
    <link>${GNW}/</link>
    <description>GlobeNewswire - News about Public Companies</description>
    <language>en</language>
    <copyright>Copyright ${updated.getUTCFullYear()} GlobeNewswire, Inc. All rights reserved.</copyright>
    <lastBuildDate>${gnwDate(updated)}</lastBuildDate>
${items.join('\n')}
  </channel>
</rss>
`;
}

export const gnwSampleFeed = (now: Date, releases: WireRelease[] = GNW_RELEASES): string =>
  sampleDocument(releases, now, renderGnwItem, renderGnwFeed);
