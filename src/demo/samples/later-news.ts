// News the demo releases one by one while it runs, so a newcomer sees signals arrive live and
// not only the backlog found at the first poll.
import type { SecFilingSample } from './sec.js';
import type { WireRelease } from './wire-release.js';

export type LaterNews =
  | { wire: 'gnw'; release: WireRelease }
  | { wire: 'prn'; release: WireRelease }
  | { wire: 'sec'; filing: SecFilingSample };

export const LATER_NEWS: LaterNews[] = [
  {
    wire: 'gnw',
    release: {
      id: '3188020',
      title:
        'Orbital Cell Labs Enters into Definitive Agreement to Be Acquired by Veritas Health for $14.50 per Share',
      city: 'SOUTH SAN FRANCISCO, Calif.',
      body: 'Orbital Cell Labs, Inc. (Nasdaq: OCLB) today announced a definitive merger agreement under which Veritas Health will acquire all outstanding shares for $14.50 per share in cash, a premium of 92% to the last close.',
      issuer: 'Orbital Cell Labs, Inc.',
      stocks: ['Nasdaq:OCLB'],
      isin: 'US68557K1097',
      subjects: ['Mergers and Acquisitions'],
      minutesAgo: 0,
    },
  },
  {
    wire: 'prn',
    release: {
      id: '302613001',
      title: 'Great Plains Bancorp Reports Record Third Quarter Earnings and Raises Full-Year Guidance',
      city: 'OMAHA, Neb.',
      body: 'Great Plains Bancorp (NASDAQ: GPBC) today reported record quarterly net income of $41.2 million, beating consensus estimates, and raised its full-year guidance.',
      issuer: 'Great Plains Bancorp',
      subjects: ['ERN'],
      minutesAgo: 0,
    },
  },
  {
    wire: 'sec',
    filing: {
      form: '8-K',
      accession: '0001234567-26-000057',
      parties: [{ company: 'Kestrel Quantum Corp', cik: '0001987002', role: 'Filer' }],
      sizeKb: 188,
      items: ['Item 1.01: Entry into a Material Definitive Agreement', 'Item 7.01: Regulation FD Disclosure'],
      minutesAgo: 0,
    },
  },
];
