import type { Command } from '../cli.js';
import { renewEpoch } from '../store/backup/epoch.js';
import { backupConfig, reportingBackupErrors } from './backup-report.js';
import { UsageError } from './usage-error.js';

export const epochCommand: Command = {
  summary: 'give the store a new epoch (after a PITR or failover)',
  usage: `Usage: catalyst epoch renew

Gives the configured store a new epoch and prints it. Do this when the store's history was replaced
other than by catalyst restore (which does it itself): after a point-in-time recovery, or after
promoting an asynchronous standby that may have missed the last commits. Subscribers then get a
"reset" instead of silently skipping signals whose seqs were handed out again. Nodes read the epoch
when they start: restart every node afterwards.`,
  options: {},
  run: (flags, positionals) =>
    reportingBackupErrors('epoch', async () => {
      if (positionals[0] !== 'renew' || positionals.length !== 1)
        throw new UsageError('expected: catalyst epoch renew');
      const epoch = await renewEpoch(backupConfig(flags).loc);
      process.stdout.write(`${epoch}\n`);
      process.stderr.write('new epoch set: restart every node so that it serves it\n');
      return 0;
    }),
};
