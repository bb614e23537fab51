// What the backup, restore, verify and restore-drill commands share: the configured store's location
// and status file, the one-line report of a refusal, and the problem list on stderr.
import { loadConfig, type Flags } from '../config.js';
import { BackupError } from '../store/backup/errors.js';
import type { StoreLocation } from '../store/backup/store-backup.js';

export function backupConfig(flags: Flags): { loc: StoreLocation; statusFile: string } {
  const config = loadConfig(flags);
  return {
    loc: { databaseUrl: config.databaseUrl, dataDir: config.dataDir },
    statusFile: config.backupStatusFile,
  };
}

/**
 * Errors an operator acts on without a stack: a refusal or a failed tool (BackupError), a database
 * error (a SQLSTATE) or a broken connection (a system error code), a statement that timed out.
 * Node's own ERR_* codes mark programming errors: those keep their stack.
 */
const operational = (err: unknown): err is Error =>
  err instanceof BackupError ||
  (err instanceof Error &&
    (/^(?!ERR_)[A-Z0-9]+$/.test(String((err as { code?: unknown }).code ?? '')) ||
      /timeout/i.test(err.message)));

/** Runs a command body; an operational failure becomes one line on stderr and exit 1. */
export async function reportingBackupErrors(command: string, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    if (!operational(err)) throw err;
    process.stderr.write(`catalyst ${command}: ${err.message.split('\n')[0]}\n`);
    return 1;
  }
}

/** Prints the problems (if any) under a heading; returns the exit code. */
export function reportProblems(heading: string, problems: string[]): number {
  if (problems.length === 0) return 0;
  process.stderr.write(`${heading}\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  return 1;
}

export function printJson(flags: Flags, value: unknown): void {
  if (flags.json) process.stdout.write(`${JSON.stringify(value)}\n`);
}
