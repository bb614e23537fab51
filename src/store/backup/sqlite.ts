// Backup and restore of the embedded SQLite store. The archive is itself a SQLite database (rollback
// journal, so one self-contained file anyone can open with `sqlite3`), copied with SQLite's online
// backup API while the node keeps writing.
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { TokenRow } from '../token-row.js';
import { BackupError } from './errors.js';
import { type Inspection, inspect, type RestoreOutcome } from './inspect.js';
import { PAGE_SIZE, type SignalRow, type StoreSnapshot } from './snapshot.js';

/** Where the store lives under a data dir (as src/store/open-store.ts opens it). */
export const sqliteStoreFile = (dataDir: string) => join(dataDir, 'catalyst.db');

function snapshotOf(db: Database.Database): StoreSnapshot {
  return {
    kind: 'sqlite',
    epoch: async () =>
      (db.prepare("SELECT value FROM meta WHERE key = 'epoch'").get() as { value: string } | undefined)
        ?.value,
    counter: async () =>
      (db.prepare("SELECT value FROM sequence WHERE name = 'signals'").get() as { value: number } | undefined)
        ?.value ?? 0,
    async *signalPages(pageSize = PAGE_SIZE) {
      const page = db.prepare(
        'SELECT seq, id, content_hash, body FROM signals WHERE seq > ? ORDER BY seq LIMIT ?',
      );
      for (let after = 0; ;) {
        const rows = page.all(after, pageSize) as SignalRow[];
        if (rows.length === 0) return;
        yield rows;
        after = rows[rows.length - 1]!.seq;
      }
    },
    tokens: async () => db.prepare('SELECT * FROM tokens ORDER BY name').all() as TokenRow[],
  };
}

function open(file: string): Database.Database {
  const db = new Database(file, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

const hasTable = (db: Database.Database, table: string) =>
  db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;

function requireSchema(db: Database.Database, file: string): void {
  if (!hasTable(db, 'signals')) {
    throw new BackupError(
      `${file} holds no Catalyst store (no signals table): run \`catalyst migrate\` first`,
    );
  }
}

/** Inspects the store file inside one read transaction: a consistent view while a node writes. */
export async function inspectSqlite(file: string): Promise<Inspection> {
  if (!existsSync(file)) throw new BackupError(`no SQLite store at ${file}`);
  const db = open(file);
  try {
    requireSchema(db, file);
    db.exec('BEGIN');
    try {
      return await inspect(snapshotOf(db));
    } finally {
      db.exec('COMMIT');
    }
  } finally {
    db.close();
  }
}

/** Copies the live store to `tmp` (online backup API) and returns the copy's inspection. */
export async function backupSqlite(storeFile: string, tmp: string): Promise<Inspection> {
  if (!existsSync(storeFile)) throw new BackupError(`no SQLite store at ${storeFile}: nothing to back up`);
  const source = open(storeFile);
  try {
    requireSchema(source, storeFile);
    // All remaining pages in one step: a step-by-step copy restarts whenever the node writes in
    // between, and under steady load might never finish. One step is one read transaction.
    await source.backup(tmp, { progress: () => 0x7fffffff });
  } finally {
    source.close();
  }
  const copy = open(tmp);
  try {
    copy.pragma('journal_mode = DELETE');
    return await inspect(snapshotOf(copy));
  } finally {
    copy.close();
  }
}

function refuseNonEmpty(storeFile: string): void {
  if (!existsSync(storeFile)) return;
  const db = open(storeFile);
  try {
    const count = (t: string) =>
      hasTable(db, t) ? (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n : 0;
    const [signals, tokens] = [count('signals'), count('tokens')];
    if (signals + tokens > 0) {
      throw new BackupError(
        `the store at ${storeFile} is not empty (${signals} signals, ${tokens} tokens): restore only into an empty store (a new --data-dir)`,
      );
    }
  } finally {
    db.close();
  }
}

/**
 * Restores `archive` as the store under `dataDir`. The copy is checked and given its epoch under a
 * temporary name, and moved into place only when `problemsOf` finds nothing: a restore that fails
 * its check leaves no store behind.
 */
export async function restoreSqlite(
  archive: string,
  dataDir: string,
  opts: { keepEpoch: boolean; problemsOf: (i: Inspection) => string[] },
): Promise<RestoreOutcome> {
  const storeFile = sqliteStoreFile(dataDir);
  refuseNonEmpty(storeFile);
  mkdirSync(dataDir, { recursive: true });
  const tmp = `${storeFile}.restoring`;
  copyFileSync(archive, tmp);
  let outcome: RestoreOutcome;
  try {
    const db = open(tmp);
    try {
      if (!opts.keepEpoch) db.prepare("UPDATE meta SET value = ? WHERE key = 'epoch'").run(randomUUID());
      db.pragma('journal_mode = WAL');
      const inspection = await inspect(snapshotOf(db));
      outcome = { inspection, problems: opts.problemsOf(inspection) };
    } finally {
      db.close();
    }
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  if (outcome.problems.length > 0) {
    rmSync(tmp, { force: true });
    return outcome;
  }
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${storeFile}${suffix}`, { force: true });
  renameSync(tmp, storeFile);
  return outcome;
}
