// Tickers from what a feed states: GlobeNewswire's structured `EXCHANGE:TICKER` categories and the
// `(Exchange: TICKER)` pattern wires put after a company's name. Only known exchange names count,
// so "(Phase: 2)" or "(Note: see below)" never yield a ticker.

export interface Listing {
  exchange?: string;
  ticker: string;
}

const TICKER = /^[A-Z0-9.-]{1,10}$/;
const US_EXCHANGE =
  /^(NYSE(\s+(AMERICAN|ARCA|MKT|TEXAS))?|NYSEAMERICAN|NASDAQ(\s*(GS|GM|CM|GLOBAL SELECT( MARKET)?|GLOBAL MARKET|CAPITAL MARKET))?|AMEX|OTC(\s*(MARKETS|PINK|QB|QX|BB|MKTS))?|OTCQB|OTCQX|OTCMKTS|OTCPK|PINK|CBOE|BATS)$/;
const OTHER_EXCHANGE =
  /^(TSX(-?V|\s+VENTURE)?|TSXV|CSE|NEO|CBOE CANADA|LSE|AIM|ASX|EURONEXT(\s+\w+)?|PARIS|OSLO|NASDAQ (STOCKHOLM|COPENHAGEN|HELSINKI|FIRST NORTH)|FRA|FRANKFURT|XETRA|SIX|HKEX|TASE)$/;

const exchangeName = (e: string) => e.trim().replace(/\s+/g, ' ').toUpperCase();
const isUs = (l: Listing) => l.exchange !== undefined && US_EXCHANGE.test(exchangeName(l.exchange));
export const isValidTicker = (t: string): boolean => TICKER.test(t);

/** `Nasdaq:NBTX` -> { exchange: 'Nasdaq', ticker: 'NBTX' }; a bare `NBTX` has no exchange. */
export function parseListing(s: string): Listing | undefined {
  const i = s.lastIndexOf(':');
  const ticker = (i < 0 ? s : s.slice(i + 1)).trim().toUpperCase();
  if (!isValidTicker(ticker)) return undefined;
  const exchange = i < 0 ? undefined : s.slice(0, i).trim();
  return exchange ? { exchange, ticker } : { ticker };
}

const PAREN = /\(([^()]{2,160})\)/g;
const PART = /^\s*([A-Za-z][A-Za-z .-]*?)\s*:\s*([A-Za-z0-9.-]{1,10})\s*$/;

/** Every `(Exchange: TICKER)` in the text, any case, with or without a space, `;`/`,` lists too. */
export function listingsFromText(textValue: string): Listing[] {
  const out: Listing[] = [];
  for (const m of textValue.matchAll(PAREN)) {
    for (const part of (m[1] as string).split(/[;,]|\band\b/)) {
      const p = PART.exec(part);
      if (!p) continue;
      const exchange = exchangeName(p[1] as string);
      if (!US_EXCHANGE.test(exchange) && !OTHER_EXCHANGE.test(exchange)) continue;
      const listing = parseListing(`${p[1]}:${p[2]}`);
      if (listing) out.push(listing);
    }
  }
  return out;
}

/** Unique by ticker, US listings first (market data is US), otherwise in the order found. */
export function orderListings(listings: Listing[]): Listing[] {
  const seen = new Set<string>();
  const unique = listings.filter((l) => !seen.has(l.ticker) && seen.add(l.ticker));
  return [...unique.filter(isUs), ...unique.filter((l) => !isUs(l))];
}
