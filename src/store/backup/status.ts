// How a running node learns when the last good backup and restore drill happened: the commands write
// a small JSON file (CATALYST_BACKUP_STATUS_FILE, default <data-dir>/backup-status.json) and the node
// reads it at every /metrics scrape. A file, not a store row, so a node exports the times even while
// its store is down, and a drill that restores into a scratch store still reports to the live node.
// Nodes that share a PostgreSQL store but not a disk read the same file from a shared volume (or only
// the node beside the backup job exports it; alerts take the max across nodes).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface BackupStatus {
  /** Unix seconds of the last backup that completed with its manifest. */
  backup_last_success?: number;
  backup_last_file?: string;
  /** Unix seconds of the last restore drill whose restored store matched its manifest. */
  restore_drill_last_success?: number;
  restore_drill_duration_seconds?: number;
}

/** The recorded status; an absent or unreadable file reads as "never". */
export function readBackupStatus(file: string): BackupStatus {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BackupStatus;
  } catch {
    return {};
  }
}

/** Merges `update` into the file, atomically (a scrape never reads half a file). */
export function recordBackupStatus(file: string, update: BackupStatus): void {
  const next = { ...readBackupStatus(file), ...update };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(next, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
