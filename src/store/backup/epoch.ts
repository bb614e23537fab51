// Renewing a store's epoch by hand: needed whenever its history was replaced by something other than
// `catalyst restore` (a point-in-time recovery, a promoted asynchronous standby), where signals that
// clients already saw may be gone and their seqs handed out again.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { BackupError } from './errors.js';
import { execPg } from './pg-tools.js';
import { sqliteStoreFile } from './sqlite.js';
import type { StoreLocation } from './store-backup.js';

const SET_EPOCH_SQLITE = "UPDATE meta SET value = ? WHERE key = 'epoch'";
const SET_EPOCH_PG = "UPDATE meta SET value = $1 WHERE key = 'epoch'";

/** Gives the store a new epoch and returns it. Nodes read the epoch at start: restart them after. */
export async function renewEpoch(loc: StoreLocation): Promise<string> {
  const epoch = randomUUID();
  let changed: number;
  if (loc.databaseUrl) {
    changed = await execPg(loc.databaseUrl, SET_EPOCH_PG, [epoch]);
  } else {
    const file = sqliteStoreFile(loc.dataDir);
    if (!existsSync(file)) throw new BackupError(`no SQLite store at ${file}`);
    const db = new Database(file, { fileMustExist: true });
    try {
      changed = db.prepare(SET_EPOCH_SQLITE).run(epoch).changes;
    } finally {
      db.close();
    }
  }
  if (changed !== 1) throw new BackupError('the store has no epoch row: run `catalyst migrate` first');
  return epoch;
}
