// Sample items are dated relative to "now" (minutes ago), so the demo's news is always fresh
// enough to be signalled, and tests can pin "now".

export interface Aged {
  minutesAgo: number;
}

export const agedAt = (s: Aged, now: Date) => new Date(now.getTime() - s.minutesAgo * 60_000);

/** A whole feed document of these samples, newest first, as served at `now`. */
export function sampleDocument<T extends Aged>(
  samples: T[],
  now: Date,
  item: (s: T, at: Date) => string | string[],
  doc: (items: string[], updated: Date) => string,
): string {
  const newest = [...samples].sort((a, b) => a.minutesAgo - b.minutesAgo);
  return doc(
    newest.flatMap((s) => item(s, agedAt(s, now))),
    now,
  );
}
