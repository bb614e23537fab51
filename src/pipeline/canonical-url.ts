// One spelling per link, so the same release reached through a tracking link or over http is the
// same item: https, lower-case host, no default port, no fragment, no tracking parameters, the
// remaining query parameters sorted.

const TRACKING = new Set([
  'tc',
  'fbclid',
  'gclid',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'yclid',
  'twclid',
  'igshid',
  'mc_cid',
  'mc_eid',
  '_ga',
  '_gl',
  'li_fat_id',
]);
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** undefined for anything that is not an absolute http(s) URL. */
export function canonicalUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  // Loopback links (the demo's fake wires) have no https side to upgrade to.
  if (!LOOPBACK.has(url.hostname)) {
    url.protocol = 'https:';
    if (url.port === '80' || url.port === '443') url.port = '';
  }
  url.hash = '';
  url.username = '';
  url.password = '';
  const kept = [...url.searchParams].filter(([k]) => !TRACKING.has(k.toLowerCase()) && !/^utm_/i.test(k));
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  url.search = new URLSearchParams(kept).toString();
  return url.toString();
}
