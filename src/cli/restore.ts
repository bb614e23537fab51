import type { Command } from '../cli.js';
import { restoreStore } from '../store/backup/store-backup.js';
import { backupConfig, printJson, reportingBackupErrors, reportProblems } from './backup-report.js';
import { UsageError } from './usage-error.js';

export const restoreCommand: Command = {
  summary: 'restore a backup into an empty store',
  usage: `Usage: catalyst restore --from FILE [--keep-epoch] [--json]

Restores FILE (made by catalyst backup, with FILE.manifest.json beside it) into the configured store,
which must be empty: a new --data-dir, or a new PostgreSQL database (pg_restore must be on PATH).
Stop every node using the target first. The restored store is checked against the manifest (counts,
last seq, fingerprints) and its invariants; new signals continue after the last restored seq.

The store gets a new epoch, so subscribers get a "reset" instead of silently missing the signals
stored after the backup. --keep-epoch keeps the backup's epoch: only when no signal was stored after
the backup was taken (for example moving a stopped store to a new server).`,
  options: { from: { type: 'string' }, 'keep-epoch': { type: 'boolean' }, json: { type: 'boolean' } },
  run: (flags) =>
    reportingBackupErrors('restore', async () => {
      const from = flags.from as string | undefined;
      if (!from) throw new UsageError('restore needs --from FILE');
      const { loc } = backupConfig(flags);
      const outcome = await restoreStore(loc, from, { keepEpoch: flags['keep-epoch'] === true });
      const { facts } = outcome.inspection;
      printJson(flags, { ...facts, problems: outcome.problems });
      if (outcome.problems.length > 0) {
        const where = loc.databaseUrl
          ? 'the database holds the restored data under a new epoch: do not serve it'
          : 'nothing was put in place';
        return reportProblems(`restore FAILED its check against the manifest (${where}):`, outcome.problems);
      }
      process.stderr.write(
        `restored ${facts.counts.signals} signals (last seq ${facts.last_seq}) and ${facts.counts.tokens} tokens; epoch ${facts.epoch}\n`,
      );
      return 0;
    }),
};
