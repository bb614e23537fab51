// The three operations behind `catalyst backup`, `restore` and `verify`, for whichever store the
// configuration names: PostgreSQL when a database URL is set, else the SQLite file in the data dir.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BackupError } from './errors.js';
import type { Inspection, RestoreOutcome } from './inspect.js';
import {
  archiveOf,
  checkArchive,
  compareWithManifest,
  type Manifest,
  readManifest,
  writeManifest,
} from './manifest.js';
import { backupSqlite, inspectSqlite, restoreSqlite, sqliteStoreFile } from './sqlite.js';
import { recordBackupStatus } from './status.js';

export interface StoreLocation {
  databaseUrl: string | undefined;
  dataDir: string;
}

const postgres = () => import('./postgres.js');

export interface BackupOutcome {
  manifest: Manifest;
  /** Broken invariants of the store backed up (the archive is still written: it is what exists). */
  problems: string[];
}

/**
 * Writes `out` and `out.manifest.json`. A successful backup whose store is sound is recorded in the
 * status file the nodes export as catalyst_backup_last_success_timestamp_seconds.
 */
export async function backupStore(
  loc: StoreLocation,
  out: string,
  statusFile: string,
): Promise<BackupOutcome> {
  const file = resolve(out);
  if (existsSync(file)) throw new BackupError(`${file} already exists: give each backup a new name`);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.partial`;
  const startedAt = new Date();
  let inspection: Inspection;
  try {
    inspection = loc.databaseUrl
      ? await (await postgres()).backupPostgres(loc.databaseUrl, tmp)
      : await backupSqlite(sqliteStoreFile(loc.dataDir), tmp);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  renameSync(tmp, file);
  const manifest = await writeManifest(file, inspection.facts, startedAt);
  if (inspection.problems.length === 0) {
    recordBackupStatus(statusFile, { backup_last_success: Date.now() / 1000, backup_last_file: file });
  }
  return { manifest, problems: inspection.problems };
}

/** The manifest of `archive`, after checking the archive is intact and fits the configured store. */
export async function openBackup(path: string, loc: StoreLocation): Promise<Manifest> {
  const archive = archiveOf(path);
  const manifest = readManifest(archive);
  await checkArchive(archive, manifest);
  const wanted = loc.databaseUrl ? 'postgres' : 'sqlite';
  if (manifest.kind !== wanted) {
    throw new BackupError(
      manifest.kind === 'postgres'
        ? 'this is a backup of a PostgreSQL store: restore it with --database-url (DATABASE_URL) set'
        : 'this is a backup of a SQLite store: restore it without DATABASE_URL, into a --data-dir',
    );
  }
  return manifest;
}

export interface RestoreOptions {
  /**
   * Keep the backup's epoch instead of starting a new one. Only for a backup known to hold the whole
   * history clients have seen (taken after the last write, e.g. moving a stopped store): otherwise a
   * client past the backup's last seq would silently skip the new signals that reuse its seqs.
   */
  keepEpoch?: boolean;
}

/** Restores `archive` into the configured store, which must be empty, and checks it against the manifest. */
export async function restoreStore(
  loc: StoreLocation,
  archive: string,
  opts: RestoreOptions = {},
): Promise<RestoreOutcome & { manifest: Manifest }> {
  const file = archiveOf(archive);
  const manifest = await openBackup(file, loc);
  const restoreOpts = {
    keepEpoch: opts.keepEpoch ?? false,
    problemsOf: (i: Inspection) => [...i.problems, ...compareWithManifest(i.facts, manifest)],
  };
  const outcome = loc.databaseUrl
    ? await (await postgres()).restorePostgres(file, loc.databaseUrl, restoreOpts)
    : await restoreSqlite(file, loc.dataDir, restoreOpts);
  return { ...outcome, manifest };
}

/** Checks the configured store's invariants, and that it holds what `manifestFile` records if given. */
export async function verifyStore(loc: StoreLocation, manifestFile?: string): Promise<RestoreOutcome> {
  const manifest = manifestFile === undefined ? undefined : readManifest(resolve(manifestFile));
  const inspection = loc.databaseUrl
    ? await (await postgres()).inspectPostgres(loc.databaseUrl)
    : await inspectSqlite(sqliteStoreFile(loc.dataDir));
  const diffs = manifest ? compareWithManifest(inspection.facts, manifest) : [];
  return { inspection, problems: [...inspection.problems, ...diffs] };
}
