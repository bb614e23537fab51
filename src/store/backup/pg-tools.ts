// How backup, restore and drills reach PostgreSQL: one plain connection at a time (no pool: a
// command does one thing and exits), and PostgreSQL's own client tools (pg_dump, pg_restore), whose
// password travels in PGPASSWORD, never on the command line where `ps` would show it.
import { execFile } from 'node:child_process';
import pg from 'pg';
import { BackupError } from './errors.js';

/**
 * A connected client. Every statement is bounded (a wedged server fails the command, it does not
 * hang it); each is a page of at most 1000 rows or a catalog call, far below the bound.
 */
export async function connectPg(url: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: 10_000,
    query_timeout: 60_000,
  });
  // A connection that breaks fails the query in flight; without a listener it would crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw new BackupError(`cannot connect to PostgreSQL: ${(err as Error).message}`);
  }
  return client;
}

/** Runs one statement on its own connection; returns the rows changed. */
export async function execPg(url: string, sql: string, params: unknown[] = []): Promise<number> {
  const c = await connectPg(url);
  try {
    return (await c.query(sql, params)).rowCount ?? 0;
  } finally {
    await c.end();
  }
}

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
