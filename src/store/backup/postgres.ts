// Backup and restore of the PostgreSQL store with pg_dump / pg_restore (custom format). The manifest
// is computed in the very snapshot pg_dump reads: a REPEATABLE READ transaction exports its snapshot
// and pg_dump imports it, so archive and manifest agree even while nodes keep appending.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { TokenRow } from '../token-row.js';
import { BackupError } from './errors.js';
import { type Inspection, inspect, type RestoreOutcome } from './inspect.js';
import { connectPg as connect, execPg, runPgTool } from './pg-tools.js';
import { PAGE_SIZE, type SignalRow, type StoreSnapshot } from './snapshot.js';

function snapshotOf(c: pg.Client): StoreSnapshot {
  const one = async <T>(sql: string): Promise<T | undefined> => (await c.query(sql)).rows[0] as T | undefined;
  return {
    kind: 'postgres',
    epoch: async () => (await one<{ value: string }>("SELECT value FROM meta WHERE key = 'epoch'"))?.value,
    // BIGINT arrives as text (the driver's default): seqs stay far below 2^53, so Number is exact.
    counter: async () =>
      Number((await one<{ value: string }>("SELECT value FROM sequence WHERE name = 'signals'"))?.value ?? 0),
    async *signalPages(pageSize = PAGE_SIZE) {
      for (let after = 0; ;) {
        const result = await c.query<Omit<SignalRow, 'seq'> & { seq: string }>(
          'SELECT seq, id, content_hash, body FROM signals WHERE seq > $1 ORDER BY seq LIMIT $2',
          [after, pageSize],
        );
        const rows: SignalRow[] = result.rows.map((r) => ({ ...r, seq: Number(r.seq) }));
        if (rows.length === 0) return;
        yield rows;
        after = rows[rows.length - 1]!.seq;
      }
    },
    tokens: async () => (await c.query<TokenRow>('SELECT * FROM tokens ORDER BY name')).rows,
  };
}

/** Runs `fn` inside one REPEATABLE READ READ ONLY transaction: one instant of the store. */
async function inSnapshot<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = await connect(url);
  try {
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = await fn(c);
    await c.query('COMMIT');
    return result;
  } finally {
    await c.end();
  }
}

async function requireSchema(c: pg.Client): Promise<void> {
  const { rows } = await c.query<{ t: string | null }>("SELECT to_regclass('signals')::text AS t");
  if (!rows[0]?.t)
    throw new BackupError(
      'the database holds no Catalyst store (no signals table): run `catalyst migrate` first',
    );
}

export function inspectPostgres(url: string): Promise<Inspection> {
  return inSnapshot(url, async (c) => {
    await requireSchema(c);
    return inspect(snapshotOf(c));
  });
}

/** Dumps the store to `tmp` (custom format) and returns the inspection of the same snapshot. */
export function backupPostgres(url: string, tmp: string): Promise<Inspection> {
  return inSnapshot(url, async (c) => {
    await requireSchema(c);
    const { rows } = await c.query<{ id: string }>('SELECT pg_export_snapshot() AS id');
    const dump = runPgTool('pg_dump', url, ['--format=custom', `--snapshot=${rows[0]!.id}`, `--file=${tmp}`]);
    // The transaction stays open until pg_dump is done: an exported snapshot lives only as long.
    const [inspection] = await Promise.all([inspect(snapshotOf(c)), dump]);
    return inspection;
  });
}

async function refuseNonEmpty(c: pg.Client): Promise<void> {
  const { rows } = await c.query<{ signals: string | null; tokens: string | null }>(
    "SELECT to_regclass('signals')::text AS signals, to_regclass('tokens')::text AS tokens",
  );
  const count = async (table: string | null | undefined) =>
    table ? (await c.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ${table}`)).rows[0]!.n : 0;
  const [signals, tokens] = [await count(rows[0]?.signals), await count(rows[0]?.tokens)];
  if (signals + tokens > 0) {
    throw new BackupError(
      `the target database is not empty (${signals} signals, ${tokens} tokens): restore only into an empty store (a new database)`,
    );
  }
}

/**
 * Restores `archive` into the database at `url`, which must hold no signals and no tokens (a new
 * database, or one only migrated). The new epoch is set before the check, so even a restore that
 * fails its check can never be served as the old history.
 */
export async function restorePostgres(
  archive: string,
  url: string,
  opts: { keepEpoch: boolean; problemsOf: (i: Inspection) => string[] },
): Promise<RestoreOutcome> {
  const c = await connect(url);
  try {
    await refuseNonEmpty(c);
  } finally {
    await c.end();
  }
  // --clean --if-exists: a migrated but empty store already has the tables; they are replaced.
  await runPgTool('pg_restore', url, [
    '--single-transaction',
    '--exit-on-error',
    '--clean',
    '--if-exists',
    '--no-owner',
    '--no-privileges',
    archive,
  ]);
  if (!opts.keepEpoch) await execPg(url, "UPDATE meta SET value = $1 WHERE key = 'epoch'", [randomUUID()]);
  const inspection = await inspectPostgres(url);
  return { inspection, problems: opts.problemsOf(inspection) };
}
