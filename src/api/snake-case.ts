// The protocol's field names are snake_case; objects built from TypeScript config (camelCase) are
// converted once, at the edge, rather than renamed in the code that uses them.

/** A copy of `value` with every object key in snake_case, at any depth. */
export function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeKeys(v)]),
  );
}
