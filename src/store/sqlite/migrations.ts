// SQLite schema, in order. A migration is never edited once released: add a new one.
export const SQLITE_MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      -- One counter row, bumped inside the storing transaction: seq is gap-free and never reused,
      -- even if signals are later pruned.
      CREATE TABLE sequence (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      INSERT INTO sequence (name, value) VALUES ('signals', 0);
      CREATE TABLE signals (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        ticker TEXT NOT NULL,
        catalyst TEXT NOT NULL,
        source TEXT NOT NULL,
        confidence REAL NOT NULL,
        sentiment REAL NOT NULL,
        score REAL,
        content_hash TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX signals_ticker_seq ON signals (ticker, seq);
      CREATE TABLE tokens (
        name TEXT PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        scopes TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
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
        published_at TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX pipeline_items_decided ON pipeline_items (decided_at);
      CREATE INDEX pipeline_items_kept ON pipeline_items (decision, published_at);
      CREATE TABLE pipeline_feeds (name TEXT PRIMARY KEY, body TEXT NOT NULL);
      CREATE TABLE pipeline_leases (feed TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL);
    `,
  },
];
