// SEC EDGAR getcurrent Atom, in the real document's shape, about made-up companies. One filing is
// listed once per party (Form 4: Reporting + Issuer; Schedule 13D: Subject + Filed by), as SEC does.
import { sampleDocument, type Aged } from './aged.js';
import { secDate, secDay, secTitleDate, xmlEscape } from './formats.js';

export interface SecParty {
  company: string;
  cik: string; // 10 digits
  role: 'Filer' | 'Reporting' | 'Issuer' | 'Subject' | 'Filed by';
}

export interface SecFilingSample extends Aged {
  form: string;
  accession: string;
  /** In feed order: SEC lists every party of the filing as its own entry. */
  parties: SecParty[];
  sizeKb: number;
  /** 8-K items, e.g. `Item 1.01: Entry into a Material Definitive Agreement`. */
  items?: string[];
}

export const SEC_FILINGS: SecFilingSample[] = [
  {
    form: '8-K',
    accession: '0001234567-26-000042',
    parties: [{ company: 'NeuroBiotix Therapeutics, Inc.', cik: '0001987001', role: 'Filer' }],
    sizeKb: 412,
    items: [
      'Item 1.01: Entry into a Material Definitive Agreement',
      'Item 9.01: Financial Statements and Exhibits',
    ],
    minutesAgo: 3,
  },
  {
    form: '4',
    accession: '0001990002-26-000007',
    parties: [
      { company: 'Müller Anja K', cik: '0001990002', role: 'Reporting' },
      { company: 'Kestrel Quantum Corp', cik: '0001987002', role: 'Issuer' },
    ],
    sizeKb: 5,
    minutesAgo: 6,
  },
  {
    form: 'SCHEDULE 13D',
    accession: '0001990003-26-000011',
    parties: [
      { company: 'Harbor Lane Capital LP', cik: '0001990003', role: 'Filed by' },
      { company: 'Pacific West Energy Corp', cik: '0001987003', role: 'Subject' },
    ],
    sizeKb: 38,
    minutesAgo: 9,
  },
  {
    form: '424B5',
    accession: '0001104659-26-000318',
    parties: [{ company: 'Marlow & Finch Therapeutics Inc', cik: '0001987004', role: 'Filer' }],
    sizeKb: 980,
    minutesAgo: 12,
  },
  {
    form: '424B2',
    accession: '0001104659-26-000319',
    parties: [{ company: 'Great Plains Bancorp', cik: '0001987005', role: 'Filer' }],
    sizeKb: 120,
    minutesAgo: 14,
  },
  {
    form: 'SC 13G/A',
    accession: '0001990004-26-000002',
    parties: [
      { company: 'Corvana Biosciences Inc', cik: '0001987006', role: 'Subject' },
      { company: 'Northwind Partners LLC', cik: '0001990004', role: 'Filed by' },
    ],
    sizeKb: 14,
    minutesAgo: 20,
  },
];

const SEC = 'https://www.sec.gov';

function entry(f: SecFilingSample, p: SecParty, at: Date): string {
  const cikNum = String(Number(p.cik));
  const acc = f.accession;
  const summary =
    `<b>Filed:</b> ${secDay(at)} <b>AccNo:</b> ${acc} <b>Size:</b> ${f.sizeKb} KB` +
    (f.items ?? []).map((i) => `<br>${i}`).join('');
  return `<entry>
<title>${xmlEscape(`${f.form} - ${p.company} (${p.cik}) (${p.role})`)}</title>
<link rel="alternate" type="text/html" href="${SEC}/Archives/edgar/data/${cikNum}/${acc.replace(/-/g, '')}/${acc}-index.htm"/>
<summary type="html"> ${xmlEscape(summary)}</summary>
<updated>${secDate(at)}</updated>
<category scheme="${SEC}/" label="form type" term="${xmlEscape(f.form)}"/>
<id>urn:tag:sec.gov,2008:accession-number=${acc}</id>
</entry>`;
}

/** The entries of one filing, one per party, in feed order. */
export const renderSecFiling = (f: SecFilingSample, at: Date): string[] =>
  f.parties.map((p) => entry(f, p, at));

/** A getcurrent document holding these rendered entries (newest first), as of `updated`. */
export function renderSecFeed(entries: string[], updated: Date): string {
  const self = `${SEC}/cgi-bin/browse-edgar?action=getcurrent`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Latest Filings - ${secTitleDate(updated)}</title>
<link rel="alternate" href="/cgi-bin/browse-edgar?action=getcurrent"/>
<link rel="self" href="/cgi-bin/browse-edgar?action=getcurrent"/>
<id>${self}</id>
<author><name>Webmaster</name><email>webmaster@sec.gov</email></author>
<updated>${secDate(updated)}</updated>
${entries.join('\n')}
</feed>
`;
}

/** The whole sample feed as SEC would serve it at `now`. */
export const secSampleFeed = (now: Date, filings: SecFilingSample[] = SEC_FILINGS): string =>
  sampleDocument(filings, now, renderSecFiling, renderSecFeed);

/** company_tickers.json for the sample companies (SEC's shape; a second share class after the first). */
export const SEC_COMPANY_TICKERS = JSON.stringify({
  0: { cik_str: 1987001, ticker: 'NBTX', title: 'NeuroBiotix Therapeutics, Inc.' },
  1: { cik_str: 1987002, ticker: 'KQC', title: 'Kestrel Quantum Corp' },
  2: { cik_str: 1987003, ticker: 'PWEC', title: 'Pacific West Energy Corp' },
  3: { cik_str: 1987004, ticker: 'MFTX', title: 'Marlow & Finch Therapeutics Inc' },
  4: { cik_str: 1987005, ticker: 'GPBC', title: 'Great Plains Bancorp' },
  5: { cik_str: 1987006, ticker: 'CRVB', title: 'Corvana Biosciences Inc' },
  6: { cik_str: 1987007, ticker: 'OCLB', title: 'Orbital Cell Labs, Inc.' },
  7: { cik_str: 1987001, ticker: 'NBTXW', title: 'NeuroBiotix Therapeutics, Inc.' },
});
