// A throwaway database on the shared PostgreSQL per fixture: created through the `postgres` database
// under a unique name, dropped (after ending its leftover backends) by the same fixture.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { POSTGRES_URL } from '../support/servers.js';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `catalyst_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  // template0: template1 may be in use by someone else's session, which makes CREATE DATABASE fail.
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE template0`));
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      admin(async (c) => {
        await c.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [name],
        );
        await c.query(`DROP DATABASE IF EXISTS ${name}`);
      }),
  };
}
