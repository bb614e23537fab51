// What the PostgreSQL drills share: the server binaries (or a skip naming them), and one-off SQL.
import type { TestContext } from 'node:test';
import pg from 'pg';
import { type PrivatePostgres, postgresBinDir } from '../../cluster/support/private-postgres.js';
import { requireBinary } from '../../support/servers.js';

/** The PostgreSQL server bin dir and psql, or a skip (outside CI) / failure (CI) naming what is missing. */
export async function requirePostgresBinaries(t: TestContext): Promise<string | undefined> {
  if (!(await requireBinary(t, 'psql'))) return undefined;
  const bin = postgresBinDir();
  if (bin) return bin;
  const line = 'no PostgreSQL server binaries in /usr/lib/postgresql/<v>/bin (initdb, pg_ctl)';
  if (process.env.CI === 'true') throw new Error(`CI=true and ${line}`);
  t.skip(`skipped: ${line}`);
  return undefined;
}

/** Runs one statement on its own connection. */
export async function sql<T extends pg.QueryResultRow>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

/** The URL of the store's database (`catalyst`) on a private server. */
export const storeUrl = (server: PrivatePostgres) => server.url.replace(/\/postgres$/, '/catalyst');
