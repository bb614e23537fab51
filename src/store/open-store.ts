// Chooses the event store adapter from the configuration: PostgreSQL when DATABASE_URL is set,
// else the embedded SQLite file under the data directory.
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { EventStore } from './event-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { TokenStore } from './token-store.js';

export async function openStore(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'sqliteSync'>,
): Promise<EventStore & TokenStore> {
  if (config.databaseUrl) {
    // Loaded on demand: an embedded node should not pay for the pg driver at start.
    const { PostgresStore } = await import('./postgres/postgres-store.js');
    return new PostgresStore({ url: config.databaseUrl, applicationName: 'catalyst' });
  }
  return new SqliteStore(join(config.dataDir, 'catalyst.db'), { sync: config.sqliteSync });
}
