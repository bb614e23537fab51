// One fixture shape for the backup tests of both adapters: a source store with its location, fresh
// empty targets to restore into, and raw SQL to damage a store on purpose. Everything it creates
// (temp dirs, databases) goes in cleanup.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { StoreLocation } from '../../../src/store/backup/store-backup.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { requirePostgres } from '../../support/servers.js';
import type { Store } from '../conformance.js';
import { createTestDatabase, type TestDatabase } from '../postgres-database.js';

export interface BackupFixture {
  kind: 'sqlite' | 'postgres';
  /** Holds archives and the status file. */
  dir: string;
  statusFile: string;
  source: StoreLocation;
  /** An adapter on the source store, migrated. */
  store: Store;
  /** A new location holding no store yet. */
  emptyTarget(): Promise<StoreLocation>;
  /** An adapter on `loc` (closed by cleanup). */
  open(loc: StoreLocation): Promise<Store>;
  /** Runs SQL on `loc` directly, bypassing the adapter: to damage a store on purpose. */
  sql(loc: StoreLocation, statement: string): Promise<void>;
  cleanup(): Promise<void>;
}

export async function sqliteFixture(): Promise<BackupFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'catalyst-backup-'));
  const stores: Store[] = [];
  let n = 0;
  const open = async (loc: StoreLocation) => {
    const s = new SqliteStore(join(loc.dataDir, 'catalyst.db'));
    stores.push(s);
    await s.migrate();
    return s;
  };
  const source = { databaseUrl: undefined, dataDir: join(dir, 'live') };
  return {
    kind: 'sqlite',
    dir,
    statusFile: join(dir, 'status.json'),
    source,
    store: await open(source),
    emptyTarget: async () => ({ databaseUrl: undefined, dataDir: join(dir, `target-${++n}`) }),
    open,
    sql: async (loc, statement) => {
      const db = new Database(join(loc.dataDir, 'catalyst.db'));
      try {
        db.exec(statement);
      } finally {
        db.close();
      }
    },
    cleanup: async () => {
      await Promise.all(stores.map((s) => s.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function postgresFixture(t: TestContext): Promise<BackupFixture | undefined> {
  if (!(await requirePostgres(t))) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'catalyst-backup-'));
  const databases: TestDatabase[] = [];
  const stores: Store[] = [];
  const newDatabase = async (): Promise<StoreLocation> => {
    const db = await createTestDatabase();
    databases.push(db);
    return { databaseUrl: db.url, dataDir: dir };
  };
  const open = async (loc: StoreLocation) => {
    const s = new PostgresStore({ url: loc.databaseUrl!, poolMax: 4, applicationName: 'catalyst-test' });
    stores.push(s);
    await s.migrate();
    return s;
  };
  const cleanup = async () => {
    await Promise.all(stores.map((s) => s.close()));
    await Promise.all(databases.map((d) => d.drop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const source = await newDatabase();
    return {
      kind: 'postgres',
      dir,
      statusFile: join(dir, 'status.json'),
      source,
      store: await open(source),
      emptyTarget: newDatabase,
      open,
      sql: async (loc, statement) => {
        const c = new pg.Client({ connectionString: loc.databaseUrl });
        await c.connect();
        try {
          await c.query(statement);
        } finally {
          await c.end();
        }
      },
      cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
