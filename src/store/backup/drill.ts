// A restore drill: the latest backup restored into a scratch store that is thrown away afterwards,
// checked against its manifest, and recorded in the status file the nodes export as
// catalyst_restore_drill_last_success_timestamp_seconds. It proves the backup can be restored
// without touching the live store: `catalyst backup --out F && catalyst restore-drill --from F`.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupError } from './errors.js';
import type { RestoreOutcome } from './inspect.js';
import type { Manifest } from './manifest.js';
import { execPg } from './pg-tools.js';
import { recordBackupStatus } from './status.js';
import { openBackup, restoreStore, type StoreLocation } from './store-backup.js';

export interface DrillOutcome extends RestoreOutcome {
  manifest: Manifest;
  durationSeconds: number;
  /** How old the restored data is: drill time minus the backup's time. */
  dataAgeSeconds: number;
}

interface Scratch {
  loc: StoreLocation;
  dispose(): Promise<void>;
}

/** A new database beside the live one, on the same server, dropped afterwards. */
async function scratchDatabase(liveUrl: string): Promise<Scratch> {
  const name = `catalyst_drill_${randomBytes(6).toString('hex')}`;
  try {
    await execPg(liveUrl, `CREATE DATABASE ${name} TEMPLATE template0`);
  } catch (err) {
    throw new BackupError(
      `cannot create a scratch database for the drill (${(err as Error).message}): give one with --scratch-database-url`,
    );
  }
  const url = new URL(liveUrl);
  url.pathname = `/${name}`;
  return {
    loc: { databaseUrl: url.toString(), dataDir: tmpdir() },
    dispose: async () => {
      await execPg(
        liveUrl,
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
      await execPg(liveUrl, `DROP DATABASE IF EXISTS ${name}`);
    },
  };
}

async function scratchFor(loc: StoreLocation, scratchUrl: string | undefined): Promise<Scratch> {
  if (scratchUrl)
    return { loc: { databaseUrl: scratchUrl, dataDir: tmpdir() }, dispose: async () => undefined };
  if (loc.databaseUrl) return scratchDatabase(loc.databaseUrl);
  const dir = mkdtempSync(join(tmpdir(), 'catalyst-drill-'));
  return {
    loc: { databaseUrl: undefined, dataDir: dir },
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function restoreDrill(
  loc: StoreLocation,
  archive: string,
  statusFile: string,
  opts: { scratchDatabaseUrl?: string } = {},
): Promise<DrillOutcome> {
  const started = Date.now();
  // Checked before a scratch store is made for it, so a wrong file costs nothing.
  const scratchUrl = opts.scratchDatabaseUrl;
  await openBackup(archive, scratchUrl ? { databaseUrl: scratchUrl, dataDir: loc.dataDir } : loc);
  const scratch = await scratchFor(loc, scratchUrl);
  let outcome: RestoreOutcome & { manifest: Manifest };
  try {
    outcome = await restoreStore(scratch.loc, archive);
  } finally {
    await scratch.dispose();
  }
  const durationSeconds = (Date.now() - started) / 1000;
  if (outcome.problems.length === 0) {
    recordBackupStatus(statusFile, {
      restore_drill_last_success: Date.now() / 1000,
      restore_drill_duration_seconds: durationSeconds,
    });
  }
  return {
    ...outcome,
    durationSeconds,
    dataAgeSeconds: (Date.now() - Date.parse(outcome.manifest.created_at)) / 1000,
  };
}
