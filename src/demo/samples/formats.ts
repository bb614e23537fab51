// Date spellings of the real feeds, so the samples exercise the same parsing as production.

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// AP style, as wire datelines write months.
const AP_MONTHS = [
  'Jan.',
  'Feb.',
  'March',
  'April',
  'May',
  'June',
  'July',
  'Aug.',
  'Sept.',
  'Oct.',
  'Nov.',
  'Dec.',
];
const two = (n: number) => String(n).padStart(2, '0');

function rfc822Parts(d: Date) {
  return `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** GlobeNewswire: `Mon, 16 Nov 2026 13:05 GMT` (no seconds). */
export const gnwDate = (d: Date) => `${rfc822Parts(d)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} GMT`;

/** PR Newswire: `Mon, 16 Nov 2026 13:15:00 +0000`. */
export const prnDate = (d: Date) =>
  `${rfc822Parts(d)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;

/** HTTP Last-Modified. */
export const httpDate = (d: Date) => d.toUTCString();

/** Wire dateline in New York: `Nov.  16, 2026` (GlobeNewswire pads with double spaces). */
export function dateline(d: Date, pad: string): string {
  const p = easternParts(d);
  return `${AP_MONTHS[p.month - 1]}${pad}${p.day}, ${p.year}`;
}

function easternParts(d: Date) {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/New_York',
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const v = Object.fromEntries(f.formatToParts(d).map((p) => [p.type, p.value]));
  const n = (k: string) => Number(v[k]);
  return {
    year: n('year'),
    month: n('month'),
    day: n('day'),
    hour: n('hour'),
    minute: n('minute'),
    second: n('second'),
  };
}

/** SEC: Eastern time with its offset, `2026-11-16T09:41:37-05:00` (-04:00 in daylight time). */
export function secDate(d: Date): string {
  const p = easternParts(d);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const offsetMin = Math.round((asUtc - Math.floor(d.getTime() / 1000) * 1000) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}:${two(p.second)}${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

/** SEC feed title: `Mon, 16 Nov 2026 09:42:11 EST`. */
export function secTitleDate(d: Date): string {
  const p = easternParts(d);
  const zone = secDate(d).endsWith('-04:00') ? 'EDT' : 'EST';
  const wd = DAYS[new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay()];
  return `${wd}, ${two(p.day)} ${MONTHS[p.month - 1]} ${p.year} ${two(p.hour)}:${two(p.minute)}:${two(p.second)} ${zone}`;
}

/** `2026-11-16` in New York (SEC's filing date). */
export function secDay(d: Date): string {
  const p = easternParts(d);
  return `${p.year}-${two(p.month)}-${two(p.day)}`;
}

export const xmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
