// Text as the protocol measures it: in characters (Unicode code points), not UTF-16 units, so an
// emoji counts once, as a subscriber in any language counts it. A lone surrogate (half of a UTF-16
// pair, which JSON's \ud800 escape can carry) is no character: UTF-8 cannot encode it, so
// PostgreSQL and SQLite columns would store U+FFFD while the JSON body kept the escape.

// With the `u` flag a surrogate class matches only unpaired halves; a pair is read as one code point.
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;

/** Code points in `s`. */
export function characters(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

export const loneSurrogateMessage = (field: string) =>
  `${field} must be valid Unicode: a lone surrogate (half of a UTF-16 pair, such as \\ud800) is no character`;

export function hasLoneSurrogate(s: string): boolean {
  return LONE_SURROGATE.test(s);
}

/** `s` with each lone surrogate replaced by U+FFFD, as a UTF-8 encoder would. */
export function wellFormed(s: string): string {
  return s.replace(LONE_SURROGATES, '\ufffd');
}

/** At most `max` characters of `s`, ending in `…` when cut; never splits a surrogate pair. */
export function truncate(s: string, max: number): string {
  if (s.length <= max || characters(s) <= max) return s;
  let out = '';
  let n = 0;
  for (const c of s) {
    if (++n >= max) break;
    out += c;
  }
  return `${out}…`;
}
