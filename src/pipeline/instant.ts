// Feed dates to UTC instants: RFC 822 (`Mon, 16 Nov 2026 13:05 GMT`, GlobeNewswire has no
// seconds; `+0000`; US zone names) and ISO 8601 with an offset (SEC: `-05:00` / `-04:00`).

const EARLIEST = Date.UTC(1990, 0, 1);
const LATEST = Date.UTC(2200, 0, 1);

/** ISO 8601 UTC, or undefined when the value is not a date with a time zone we can read. */
export function utcInstant(value: string | undefined): string | undefined {
  const v = value?.trim().replace(/\s+/g, ' ');
  if (!v) return undefined;
  // Without a zone the value would be read in the server's local time: refuse rather than guess.
  const iso = /^\d{4}-\d{2}-\d{2}T/.test(v);
  if (iso ? !/(Z|[+-]\d{2}:?\d{2})$/i.test(v) : !/(^|\s)(GMT|UTC?|Z|[+-]\d{4}|[ECMP][SD]T)$/i.test(v))
    return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t) || t < EARLIEST || t > LATEST) return undefined;
  return new Date(t).toISOString();
}
