import type { Command } from '../cli.js';
import { backupStore } from '../store/backup/store-backup.js';
import { backupConfig, printJson, reportingBackupErrors, reportProblems } from './backup-report.js';
import { UsageError } from './usage-error.js';

export const backupCommand: Command = {
  summary: 'write a backup of the store and its manifest',
  usage: `Usage: catalyst backup --out FILE [--json]

Backs up the configured store while nodes keep running: SQLite with its online backup API (FILE is a
SQLite database), PostgreSQL with pg_dump (FILE is a custom-format archive; pg_dump must be on PATH).
Beside it, FILE.manifest.json records row counts, the last seq, the epoch, ordered fingerprints of
the signals and tokens, and FILE's SHA-256; keep the two files together. On success the time is
recorded in CATALYST_BACKUP_STATUS_FILE (default <data-dir>/backup-status.json), which nodes export
as catalyst_backup_last_success_timestamp_seconds. --json prints the manifest on stdout.`,
  options: { out: { type: 'string' }, json: { type: 'boolean' } },
  run: (flags) =>
    reportingBackupErrors('backup', async () => {
      const out = flags.out as string | undefined;
      if (!out) throw new UsageError('backup needs --out FILE');
      const { loc, statusFile } = backupConfig(flags);
      const { manifest, problems } = await backupStore(loc, out, statusFile);
      printJson(flags, manifest);
      process.stderr.write(
        `backed up ${manifest.kind} store to ${out}: ${manifest.counts.signals} signals (last seq ${manifest.last_seq}), ${manifest.counts.tokens} tokens\n`,
      );
      return reportProblems(
        'the store backed up breaks its invariants (backup kept, not recorded as good):',
        problems,
      );
    }),
};
