// The EventStore port: the source of truth for signals. Every adapter (SQLite, PostgreSQL) must pass
// test/store/conformance.ts unchanged.
import type { SignalFilter } from '../domain/filter.js';
import type { Signal, SignalInput } from '../domain/signal.js';

/** Outcome of appending one signal. */
export type AppendResult =
  | { status: 'created'; signal: Signal }
  /** The id was stored before with the same content: the original, unchanged. */
  | { status: 'duplicate'; signal: Signal }
  /** The id was stored before with different content: nothing stored. */
  | { status: 'conflict'; id: string; seq: number };

export interface ReadQuery {
  /** Return signals with seq > afterSeq. */
  afterSeq: number;
  /** And seq <= uptoSeq, when given. */
  uptoSeq?: number;
  limit: number;
  filter?: SignalFilter;
}

/**
 * Invariants every adapter keeps:
 * 1. `seq` is assigned inside the transaction that stores the signal: strictly increasing, gap-free
 *    from 1, never reused, and commit order equals seq order. A reader that has seen seq N can never
 *    later see a new signal with seq < N, whichever node or connection stored it.
 * 2. `append` is all-or-nothing per call and idempotent per id: a repeated id with the same content
 *    returns the original signal (status 'duplicate'), with different content 'conflict'. A resolved
 *    promise means durably committed; a rejected one means nothing of that call was stored.
 * 3. `epoch` names this store's history. It is created with the store and changes when the history
 *    is replaced (restore into a new store), so a client's saved seq is only meaningful within one
 *    epoch.
 */
export interface EventStore {
  readonly kind: string;
  /** Runs pending migrations; safe to call on every start and concurrently from several nodes. */
  migrate(signal?: AbortSignal): Promise<void>;
  epoch(signal?: AbortSignal): Promise<string>;
  /** Stores the signals in the given order, in one transaction; one result per input, same order. */
  append(inputs: SignalInput[], signal?: AbortSignal): Promise<AppendResult[]>;
  /** Ascending by seq, applying the filter in the store. */
  read(query: ReadQuery, signal?: AbortSignal): Promise<Signal[]>;
  /**
   * What read() returns, each signal as the JSON text it was stored as: for answers that only pass
   * signals on (GET /signals), which would otherwise parse and serialise every one again.
   */
  readJson(query: ReadQuery, signal?: AbortSignal): Promise<string[]>;
  /** How many signals read(query without limit) would return. */
  count(query: Omit<ReadQuery, 'limit'>, signal?: AbortSignal): Promise<number>;
  get(seq: number, signal?: AbortSignal): Promise<Signal | undefined>;
  /** Highest committed seq, 0 when empty. */
  lastSeq(signal?: AbortSignal): Promise<number>;
  /** Cheap round trip used by readiness checks. */
  ping(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
