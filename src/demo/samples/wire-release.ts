// A press release as the sample wires carry it; each wire renders it in its own RSS dialect.

import type { Aged } from './aged.js';

export interface WireRelease extends Aged {
  /** The wire's release id: 7 digits on GlobeNewswire, 9 on PR Newswire. */
  id: string;
  title: string;
  city: string;
  /** HTML after the dateline's `--`, entities and all; names the company and often its ticker. */
  body: string;
  /** dc:contributor: the issuing organisation. */
  issuer: string;
  /** GlobeNewswire structured tickers (`Nasdaq:NBTX`); none for private companies and law firms. */
  stocks?: string[];
  isin?: string;
  subjects: string[];
  /** PR Newswire sometimes links with a tracking query. */
  tracking?: string;
}

export const slug = (title: string) =>
  title
    .replace(/&/g, 'and')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
