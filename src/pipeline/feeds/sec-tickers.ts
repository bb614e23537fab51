// SEC's company_tickers.json -> CIK -> ticker. The file is keyed "0", "1", ... in SEC's own order
// (largest companies first); a company with several share classes appears once per ticker, and
// the first one listed is kept as its ticker.
import { FeedFormatError, rejectHtmlPage } from './format-error.js';

const TICKER = /^[A-Z0-9.-]{1,10}$/;

export const padCik = (cik: string | number): string => String(cik).trim().padStart(10, '0');

/** Keys are 10-digit zero-padded CIKs, as in the getcurrent feed's titles. */
export function parseSecTickers(body: string): Map<string, string> {
  rejectHtmlPage(body);
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (err) {
    // An error at the very end of the text ("Unexpected end of JSON input", "... at position N"
    // with N its length) means the download was cut short.
    const msg = (err as Error).message;
    const at = Number(/position (\d+)/.exec(msg)?.[1] ?? -1);
    const cut = body.trim() === '' || /end of JSON/i.test(msg) || at >= body.trimEnd().length;
    throw new FeedFormatError(cut ? 'truncated' : 'invalid', 'company_tickers.json is not JSON');
  }
  if (typeof doc !== 'object' || doc === null) {
    throw new FeedFormatError('invalid', 'company_tickers.json is not an object of companies');
  }
  const map = new Map<string, string>();
  for (const row of Object.values(doc)) {
    const { cik_str: cik, ticker } = (row ?? {}) as { cik_str?: unknown; ticker?: unknown };
    if ((typeof cik !== 'number' && typeof cik !== 'string') || !/^\d{1,10}$/.test(String(cik))) continue;
    if (typeof ticker !== 'string') continue;
    const t = ticker.trim().toUpperCase();
    const key = padCik(cik);
    if (TICKER.test(t) && !map.has(key)) map.set(key, t);
  }
  return map;
}
