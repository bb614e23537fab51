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
];
