// Seedable randomness. Each link gets its own stream derived from the server seed, the proxy name, the
// connection's sequence number and the direction, so a seeded run draws the same toxicity, jitter and
// slice points for the Nth connection of a proxy however other connections interleave with it.
export type Rng = () => number;

/** mulberry32: small, fast and good enough for fault injection (not for anything secret). */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the parts, mixed with the seed: a stable 32-bit seed for one sub-stream. */
export function deriveSeed(seed: number, ...parts: Array<string | number>): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (const ch of parts.join('\u0000')) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Integer in [0, n) for n > 0. */
export const randomInt = (rng: Rng, n: number): number => Math.floor(rng() * n);

export function randomSeed(): number {
  return Math.floor(Math.random() * 0x100000000) >>> 0;
}
