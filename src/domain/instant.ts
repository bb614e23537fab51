// Instants as the protocol writes them: RFC 3339 date-times with a zone. Date.parse alone is not a
// validator: it reads 2026-02-30 as March 2 and 24:00 as the next midnight, so a publisher's typo
// would be stored as another day. Every field is checked against the calendar here first.

export const RFC3339_EXAMPLE = '2026-11-23T14:05:00Z';

// RFC 3339 section 5.6: seconds are required, fractions of any length, `T` and `Z` in either case.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** Days in a month (1-12) of a proleptic Gregorian year. */
function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Whether year-month-day names a day of the calendar (month 1-12). */
export function isCalendarDay(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
}

/**
 * Milliseconds since the Unix epoch of an RFC 3339 date-time, or undefined when `v` is not one or
 * names a day or time that does not exist (2026-02-30, 2026-04-31, 24:00, a 61st minute). A leap
 * second (23:59:60 in UTC) is allowed by RFC 3339 but has no instant of its own in JavaScript: it
 * reads as the last millisecond before the next minute. Fractions finer than a millisecond are cut.
 */
export function parseRfc3339(v: string): number | undefined {
  const m = DATE_TIME.exec(v);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offHours = m[9] === undefined ? 0 : Number(m[9]);
  const offMinutes = m[10] === undefined ? 0 : Number(m[10]);
  if (!isCalendarDay(year, month, day) || hour > 23 || minute > 59 || second > 60) return undefined;
  if (offHours > 23 || offMinutes > 59) return undefined;
  const offset = (m[8] === '-' ? -1 : 1) * (offHours * 60 + offMinutes) * 60_000;
  const at = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0-99 as 1900-1999.
  at.setUTCFullYear(year, month - 1, day);
  at.setUTCHours(hour, minute, Math.min(second, 59), Number(((m[7] ?? '') + '000').slice(0, 3)));
  const ms = at.getTime() - offset;
  if (second === 60) {
    // Only the last minute of a UTC day can hold a leap second.
    const utc = new Date(ms);
    if (utc.getUTCHours() !== 23 || utc.getUTCMinutes() !== 59) return undefined;
    return ms - utc.getUTCMilliseconds() + 999;
  }
  return ms;
}
