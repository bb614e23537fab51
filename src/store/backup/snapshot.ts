// What backup, restore and verify read from a store: one consistent view of its tables, whichever
// adapter holds them. Each adapter's view is a single read transaction (SQLite: one connection in a
// read transaction, PostgreSQL: REPEATABLE READ), so a store under write load is seen at one instant.
import type { TokenRow } from '../token-row.js';

export interface SignalRow {
  seq: number;
  id: string;
  content_hash: string;
  /** The stored signal as JSON text. */
  body: string;
}

export interface StoreSnapshot {
  readonly kind: 'sqlite' | 'postgres';
  /** undefined when the meta row is missing (a damaged or never-migrated store). */
  epoch(): Promise<string | undefined>;
  /** The value of the sequence counter row: the highest seq ever assigned. */
  counter(): Promise<number>;
  /** Pages of rows in ascending seq. */
  signalPages(pageSize?: number): AsyncIterable<SignalRow[]>;
  /** Every token, ordered by name. */
  tokens(): Promise<TokenRow[]>;
}

export const PAGE_SIZE = 1000;
