// PostgreSQL schema, in order, mirroring the SQLite one table for table. A migration is never edited
// once released: add a new one.
import { randomUUID } from 'node:crypto';
import type { PgPool } from './pool.js';

export const POSTGRES_MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      -- One counter row, locked and bumped inside the storing transaction: appenders on every node
      -- queue on this row lock, so commit order equals seq order and seq is gap-free.
      CREATE TABLE sequence (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
      INSERT INTO sequence (name, value) VALUES ('signals', 0);
      CREATE TABLE signals (
        seq BIGINT PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        ticker TEXT NOT NULL,
        catalyst TEXT NOT NULL,
        source TEXT NOT NULL,
        confidence DOUBLE PRECISION NOT NULL,
        sentiment DOUBLE PRECISION NOT NULL,
        score DOUBLE PRECISION,
        content_hash TEXT NOT NULL,
        -- TEXT, not JSONB: JSONB reorders keys, and the stored form keeps the protocol's field order.
        body TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX signals_ticker_seq ON signals (ticker, seq);
      CREATE TABLE tokens (
        name TEXT PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        scopes TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        revoked_at TIMESTAMPTZ
      );
      CREATE INDEX tokens_revoked_at ON tokens (revoked_at);
    `,
  },
  {
    version: 2,
    sql: `
      -- The pipeline's ledger (src/pipeline/ledger.ts): decisions per item, feed state, feed leases.
      CREATE TABLE pipeline_items (
        id TEXT PRIMARY KEY,
        feed TEXT NOT NULL,
        stage TEXT NOT NULL,
        decision TEXT NOT NULL,
        published_at TIMESTAMPTZ NOT NULL,
        decided_at TIMESTAMPTZ NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX pipeline_items_decided ON pipeline_items (decided_at);
      CREATE INDEX pipeline_items_kept ON pipeline_items (decision, published_at);
      CREATE TABLE pipeline_feeds (name TEXT PRIMARY KEY, body TEXT NOT NULL);
      -- Expiry by the database's clock, so nodes with skewed clocks agree on who holds a feed.
      CREATE TABLE pipeline_leases (feed TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at TIMESTAMPTZ NOT NULL);
    `,
  },
];

// Any constant works; it only has to be the same on every node. Advisory locks are per database.
const MIGRATION_LOCK = 0x6361_7461; // 'cata'

/**
 * Applies pending migrations in one transaction under a transaction-scoped advisory lock, so nodes
 * that start together apply each migration once and the others wait, then find nothing to do.
 */
export async function migrate(pool: PgPool, abort?: AbortSignal): Promise<void> {
  await pool.transaction(abort, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await c.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)',
    );
    const applied = await c.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(applied.rows.map((r) => r.version));
    for (const m of POSTGRES_MIGRATIONS) {
      if (done.has(m.version)) continue;
      await c.query(m.sql);
      await c.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())', [m.version]);
    }
    await c.query("INSERT INTO meta (key, value) VALUES ('epoch', $1) ON CONFLICT (key) DO NOTHING", [
      randomUUID(),
    ]);
  });
}
