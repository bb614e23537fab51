// Reads a whole store snapshot once and reports both what a manifest records (counts, last seq,
// fingerprints) and every broken invariant found on the way: `catalyst verify`, the manifest of
// `catalyst backup` and the check after `catalyst restore` are all this one pass.
import { SCOPES } from '../token-store.js';
import type { TokenRow } from '../token-row.js';
import { contentHash } from '../content-hash.js';
import type { SignalInput } from '../../domain/signal.js';
import { Fingerprint } from './fingerprint.js';
import type { SignalRow, StoreSnapshot } from './snapshot.js';

export interface StoreFacts {
  kind: 'sqlite' | 'postgres';
  epoch: string | undefined;
  last_seq: number;
  counts: { signals: number; tokens: number };
  fingerprints: { signals: string; tokens: string };
}

export interface Inspection {
  facts: StoreFacts;
  /** One line per broken invariant; empty when the store is sound. */
  problems: string[];
}

export interface RestoreOutcome {
  /** The restored store as read back after the restore. */
  inspection: Inspection;
  /** Its broken invariants and its differences from the manifest; empty when the restore is good. */
  problems: string[];
}

/** Lines kept per kind of problem: a store broken everywhere should not print a million lines. */
const MAX_PER_KIND = 5;

class Problems {
  readonly lines: string[] = [];
  private readonly perKind = new Map<string, number>();

  add(kind: string, line: string): void {
    const n = (this.perKind.get(kind) ?? 0) + 1;
    this.perKind.set(kind, n);
    if (n <= MAX_PER_KIND) this.lines.push(line);
  }

  summary(): string[] {
    const more = [...this.perKind].filter(([, n]) => n > MAX_PER_KIND);
    return [...this.lines, ...more.map(([kind, n]) => `... and ${n - MAX_PER_KIND} more of: ${kind}`)];
  }
}

function checkSignal(row: SignalRow, expectedSeq: number, problems: Problems): void {
  if (row.seq !== expectedSeq) {
    problems.add('seq gap', `seq gap: expected seq ${expectedSeq}, found ${row.seq}`);
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(row.body) as Record<string, unknown>;
  } catch {
    problems.add('unreadable body', `signal seq ${row.seq}: its body is not valid JSON`);
    return;
  }
  if (body.seq !== row.seq || body.id !== row.id) {
    problems.add('row/body mismatch', `signal seq ${row.seq}: its body names seq ${body.seq}, id ${body.id}`);
  }
  const { seq: _seq, created_at: _created, ...content } = body;
  if (contentHash(content as unknown as SignalInput) !== row.content_hash) {
    problems.add('content hash', `signal seq ${row.seq}: its body does not match its content hash`);
  }
}

function checkToken(t: TokenRow, seenHashes: Set<string>, problems: Problems): void {
  const where = `token "${t.name}"`;
  if (!/^[0-9a-f]{64}$/.test(t.hash)) problems.add('token hash', `${where}: its hash is malformed`);
  if (seenHashes.has(t.hash)) problems.add('token hash', `${where}: its hash is shared with another token`);
  seenHashes.add(t.hash);
  const scopes = t.scopes.split(',');
  if (scopes.length === 0 || scopes.some((s) => !(SCOPES as readonly string[]).includes(s))) {
    problems.add('token scopes', `${where}: unknown scopes "${t.scopes}"`);
  }
  const created = new Date(t.created_at).getTime();
  if (Number.isNaN(created)) problems.add('token time', `${where}: created_at is not a time`);
  if (t.revoked_at !== null) {
    const revoked = new Date(t.revoked_at).getTime();
    if (Number.isNaN(revoked) || revoked < created) {
      problems.add('token time', `${where}: revoked_at is not a time after created_at`);
    }
  }
}

export async function inspect(snapshot: StoreSnapshot): Promise<Inspection> {
  const problems = new Problems();
  const epoch = await snapshot.epoch();
  if (!epoch) problems.add('epoch', 'the store has no epoch (meta row missing)');
  const counter = await snapshot.counter();

  const signals = new Fingerprint();
  let count = 0;
  let lastRowSeq = 0;
  for await (const page of snapshot.signalPages()) {
    for (const row of page) {
      checkSignal(row, lastRowSeq + 1, problems);
      signals.addSignal(row);
      lastRowSeq = row.seq;
      count += 1;
    }
  }
  // Nothing prunes signals, so the counter must equal the highest stored seq: a counter behind it
  // would hand out a seq twice, a counter ahead of it means rows are missing at the end.
  if (counter !== lastRowSeq) {
    problems.add('counter', `the sequence counter is ${counter} but the highest stored seq is ${lastRowSeq}`);
  }

  const tokenRows = await snapshot.tokens();
  const tokens = new Fingerprint();
  const seen = new Set<string>();
  for (const t of tokenRows) {
    checkToken(t, seen, problems);
    tokens.addToken(t);
  }

  return {
    facts: {
      kind: snapshot.kind,
      epoch,
      last_seq: counter,
      counts: { signals: count, tokens: tokenRows.length },
      fingerprints: { signals: signals.digest(), tokens: tokens.digest() },
    },
    problems: problems.summary(),
  };
}
