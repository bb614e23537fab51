// The tokens table as both SQL adapters store it (scopes comma-joined), mapped to the port's record.
import type { Scope, TokenRecord } from './token-store.js';

export interface TokenRow {
  name: string;
  hash: string;
  scopes: string;
  /** ISO text in SQLite, a Date from a PostgreSQL timestamptz. */
  created_at: string | Date;
  revoked_at: string | Date | null;
}

const iso = (v: string | Date) => (typeof v === 'string' ? v : v.toISOString());

export const tokenRecord = (r: TokenRow): TokenRecord => ({
  name: r.name,
  scopes: r.scopes.split(',') as Scope[],
  created_at: iso(r.created_at),
  revoked_at: r.revoked_at === null ? null : iso(r.revoked_at),
});

export const tokenWithHash = (r: TokenRow): TokenRecord & { hash: string } => ({
  ...tokenRecord(r),
  hash: r.hash,
});
