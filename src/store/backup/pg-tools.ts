// Runs PostgreSQL's own client tools (pg_dump, pg_restore) against a store URL. The password travels
// in PGPASSWORD, never on the command line where `ps` would show it.
import { execFile } from 'node:child_process';
import { BackupError } from './errors.js';

function connection(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { dbname: u.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

/** Runs `tool` with `--dbname` set to the store; rejects with its last stderr line on failure. */
export function runPgTool(tool: 'pg_dump' | 'pg_restore', url: string, args: string[]): Promise<void> {
  const { dbname, env } = connection(url);
  return new Promise((resolve, reject) => {
    execFile(
      tool,
      [`--dbname=${dbname}`, ...args],
      { env, maxBuffer: 16 * 1024 * 1024 },
      (err, _stdout, stderr) => {
        if (!err) return resolve();
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          return reject(
            new BackupError(
              `${tool} is not installed: install the PostgreSQL client tools (postgresql-client)`,
            ),
          );
        }
        const lines = stderr.trim().split('\n').filter(Boolean);
        reject(new BackupError(`${tool} failed: ${lines.at(-1) ?? err.message}`));
      },
    );
  });
}
