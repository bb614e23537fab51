// Feed dates to UTC instants: RFC 822 (`Mon, 16 Nov 2026 13:05 GMT`, GlobeNewswire has no
// seconds; `+0000`; US zone names) and ISO 8601 with an offset (SEC: `-05:00` / `-04:00`).
// Both are checked against the calendar (domain/instant.ts): Date.parse alone would read 31 Apr as
// 1 May and 24:00 as the next day.
import { isCalendarDay, parseRfc3339 } from '../domain/instant.js';

const EARLIEST = Date.UTC(1990, 0, 1);
const LATEST = Date.UTC(2200, 0, 1);

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
// The day, month, year and time of an RFC 822 date (the weekday, if any, is not checked).
const RFC822 = /(?:^|\s)(\d{1,2}) ([a-z]{3}) (\d{4}|\d{2}) (\d{1,2}):(\d{2})(?::(\d{2}))?\s/i;

/** ISO 8601 as feeds write it (seconds optional, `+0500` offsets) in RFC 3339's spelling. */
function asRfc3339(v: string): string {
  return v
    .replace(/^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(?=[Zz+-])/, '$1:00')
    .replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
}

function rfc822(v: string): number | undefined {
  const m = RFC822.exec(v);
  if (!m) return undefined;
  const month = MONTHS.indexOf((m[2] as string).toLowerCase()) + 1;
  if (!isCalendarDay(Number(m[3]), month, Number(m[1]))) return undefined;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

/** ISO 8601 UTC, or undefined when the value is not a date with a time zone we can read. */
export function utcInstant(value: string | undefined): string | undefined {
  const v = value?.trim().replace(/\s+/g, ' ');
  if (!v) return undefined;
  // Without a zone the value would be read in the server's local time: refuse rather than guess.
  const iso = /^\d{4}-\d{2}-\d{2}T/i.test(v);
  if (iso ? !/(Z|[+-]\d{2}:?\d{2})$/i.test(v) : !/(^|\s)(GMT|UTC?|Z|[+-]\d{4}|[ECMP][SD]T)$/i.test(v))
    return undefined;
  const t = iso ? parseRfc3339(asRfc3339(v)) : rfc822(v);
  if (t === undefined || t < EARLIEST || t > LATEST) return undefined;
  return new Date(t).toISOString();
}
