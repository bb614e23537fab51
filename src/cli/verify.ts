import type { Command } from '../cli.js';
import { verifyStore } from '../store/backup/store-backup.js';
import { backupConfig, printJson, reportingBackupErrors, reportProblems } from './backup-report.js';

export const verifyCommand: Command = {
  summary: "check the store's invariants (and a backup manifest)",
  usage: `Usage: catalyst verify [--manifest FILE.manifest.json] [--json]

Reads the configured store in one consistent snapshot and checks: seq gap-free from 1 and equal to
the sequence counter, every body matching its row and content hash, an epoch present, tokens sane
(hash, scopes, times). With --manifest, also that the store holds exactly what the backup recorded.
Exit 0 when sound, 1 with one line per problem otherwise.`,
  options: { manifest: { type: 'string' }, json: { type: 'boolean' } },
  run: (flags) =>
    reportingBackupErrors('verify', async () => {
      const { loc } = backupConfig(flags);
      const { inspection, problems } = await verifyStore(loc, flags.manifest as string | undefined);
      printJson(flags, { ...inspection.facts, problems });
      if (problems.length > 0) return reportProblems('verify FAILED:', problems);
      const { facts } = inspection;
      process.stderr.write(
        `verified ${facts.kind} store: ${facts.counts.signals} signals (last seq ${facts.last_seq}), ${facts.counts.tokens} tokens, epoch ${facts.epoch}\n`,
      );
      return 0;
    }),
};
