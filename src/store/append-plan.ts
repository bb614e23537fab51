// The dedup rules of EventStore.append, in one place so every adapter decides the same way: an
// adapter only finds the rows already stored under the batch's ids and writes the rows planned here.
import { type Signal, type SignalInput, storedSignal } from '../domain/signal.js';
import { contentHash } from './content-hash.js';
import type { AppendResult } from './event-store.js';

/** What an adapter knows of an id already stored. */
export interface StoredIdentity {
  seq: number;
  content_hash: string;
  /** The stored signal as JSON text. */
  body: string;
}

export interface PlannedRow {
  signal: Signal;
  content_hash: string;
}

export interface AppendPlan {
  results: AppendResult[];
  /** Rows to insert, seqs lastSeq+1 .. lastSeq+rows.length in order. */
  rows: PlannedRow[];
}

/**
 * Decides, for each input in order, created / duplicate / conflict. `stored` holds the rows already
 * committed under the inputs' ids; an id repeated inside the batch is judged against its first
 * occurrence, exactly as if the batch were appended one signal at a time.
 */
export function planAppend(
  inputs: SignalInput[],
  stored: ReadonlyMap<string, StoredIdentity>,
  lastSeq: number,
  createdAt: string,
): AppendPlan {
  const results: AppendResult[] = [];
  const rows: PlannedRow[] = [];
  const planned = new Map<string, PlannedRow>();
  const earlier = (id: string) => {
    const p = planned.get(id);
    if (p) return { seq: p.signal.seq, content_hash: p.content_hash, signal: () => p.signal };
    const s = stored.get(id);
    return s && { seq: s.seq, content_hash: s.content_hash, signal: () => signalFromBody(s.body) };
  };
  for (const input of inputs) {
    const hash = contentHash(input);
    const existing = earlier(input.id);
    if (existing) {
      results.push(
        existing.content_hash === hash
          ? { status: 'duplicate', signal: existing.signal() }
          : { status: 'conflict', id: input.id, seq: existing.seq },
      );
      continue;
    }
    const row = { signal: storedSignal(input, lastSeq + rows.length + 1, createdAt), content_hash: hash };
    rows.push(row);
    planned.set(input.id, row);
    results.push({ status: 'created', signal: row.signal });
  }
  return { results, rows };
}

export const signalFromBody = (body: string): Signal => JSON.parse(body) as Signal;
