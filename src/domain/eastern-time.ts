// US equity sessions are days in New York time: "today" and a daily bar's date are ET dates.
const ET_DATE = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The ET calendar date (YYYY-MM-DD) of an instant. */
export const etDate = (ms: number): string => ET_DATE.format(new Date(ms));

/** The date `days` calendar days after `date` (YYYY-MM-DD arithmetic, no time zone involved). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Midnight ET of a date as epoch ms (what Polygon's daily bars carry in `t`). */
export function etMidnight(date: string): number {
  // ET is UTC-4 or UTC-5: the candidate whose ET date is `date` at hour 0 is midnight.
  for (const h of [4, 5]) {
    const ms = Date.parse(`${date}T0${h}:00:00Z`);
    if (etDate(ms) === date && etDate(ms - 1) !== date) return ms;
  }
  return Date.parse(`${date}T05:00:00Z`);
}
