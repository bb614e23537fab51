import type { Command } from '../cli.js';
import { restoreDrill } from '../store/backup/drill.js';
import { backupConfig, printJson, reportingBackupErrors, reportProblems } from './backup-report.js';
import { UsageError } from './usage-error.js';

export const restoreDrillCommand: Command = {
  summary: 'restore a backup into a scratch store and record the drill',
  usage: `Usage: catalyst restore-drill --from FILE [--scratch-database-url URL] [--json]

Proves FILE can be restored without touching the live store: restores it into a scratch store (a
temporary data dir for SQLite; for PostgreSQL a temporary database created on the DATABASE_URL
server, or the empty database given by --scratch-database-url), checks it against its manifest,
and removes the scratch store. On success the time is recorded in CATALYST_BACKUP_STATUS_FILE, which
nodes export as catalyst_restore_drill_last_success_timestamp_seconds.`,
  options: {
    from: { type: 'string' },
    'scratch-database-url': { type: 'string' },
    json: { type: 'boolean' },
  },
  run: (flags) =>
    reportingBackupErrors('restore-drill', async () => {
      const from = flags.from as string | undefined;
      if (!from) throw new UsageError('restore-drill needs --from FILE');
      const { loc, statusFile } = backupConfig(flags);
      const scratch = flags['scratch-database-url'] as string | undefined;
      const outcome = await restoreDrill(
        loc,
        from,
        statusFile,
        scratch ? { scratchDatabaseUrl: scratch } : {},
      );
      const { facts } = outcome.inspection;
      printJson(flags, {
        ...facts,
        problems: outcome.problems,
        duration_seconds: outcome.durationSeconds,
        data_age_seconds: outcome.dataAgeSeconds,
      });
      if (outcome.problems.length > 0) return reportProblems('restore drill FAILED:', outcome.problems);
      process.stderr.write(
        `restore drill passed in ${outcome.durationSeconds.toFixed(1)} s: ${facts.counts.signals} signals (last seq ${facts.last_seq}), data ${Math.round(outcome.dataAgeSeconds)} s old\n`,
      );
      return 0;
    }),
};
