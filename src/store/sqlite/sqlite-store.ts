// EventStore and TokenStore on an embedded SQLite file (better-sqlite3, WAL). better-sqlite3 is
// synchronous: a write holds the event loop for its transaction only (microseconds for one signal),
// and reads are bounded by ReadQuery.limit, which the API caps at 1000.
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CatalystError } from '../../domain/errors.js';
import type { Signal, SignalInput } from '../../domain/signal.js';
import type { PipelineLedger } from '../../pipeline/ledger.js';
import { planAppend, type StoredIdentity, signalFromBody } from '../append-plan.js';
import type { AppendResult, EventStore, ReadQuery } from '../event-store.js';
import { buildWhere } from '../sql-filter.js';
import { type TokenRow, tokenRecord, tokenWithHash } from '../token-row.js';
import type { Scope, TokenRecord, TokenStore } from '../token-store.js';
import { ensureDataDir } from './data-dir.js';
import { sqlitePipelineLedger } from './pipeline-ledger.js';
import { SQLITE_MIGRATIONS } from './migrations.js';

export class SqliteStore implements EventStore, TokenStore {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private cachedEpoch: string | undefined;
  /** Built on first use (better-sqlite3 wraps the function once; BEGIN IMMEDIATE takes the write lock). */
  private appendTx: Database.Transaction<(batch: SignalInput[]) => AppendResult[]> | undefined;

  constructor(
    readonly file: string,
    opts: { sync?: 'durable' | 'fast' } = {},
  ) {
    if (file !== ':memory:') ensureDataDir(dirname(file));
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // FULL (default): a 2xx means durable even across power loss. NORMAL in WAL mode survives a
    // process crash but may lose the last commits on power loss; it saves one fsync per commit.
    this.db.pragma(opts.sync === 'fast' ? 'synchronous = NORMAL' : 'synchronous = FULL');
    // The CLI (tokens, migrate) writes to the same file as a running server.
    this.db.pragma('busy_timeout = 5000');
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  async migrate(): Promise<void> {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
    );
    const apply = this.db.transaction(() => {
      const done = new Set(
        (this.db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
          (r) => r.version,
        ),
      );
      for (const m of SQLITE_MIGRATIONS) {
        if (done.has(m.version)) continue;
        this.db.exec(m.sql);
        this.db
          .prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)')
          .run(m.version, new Date().toISOString());
      }
      this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('epoch', ?)").run(randomUUID());
    });
    apply.immediate();
  }

  async epoch(): Promise<string> {
    this.cachedEpoch ??= (
      this.stmt("SELECT value FROM meta WHERE key = 'epoch'").get() as { value: string }
    ).value;
    return this.cachedEpoch;
  }

  async append(inputs: SignalInput[]): Promise<AppendResult[]> {
    this.appendTx ??= this.db.transaction((batch: SignalInput[]): AppendResult[] => {
      const findById = this.stmt('SELECT seq, content_hash, body FROM signals WHERE id = ?');
      const insert = this.stmt(
        `INSERT INTO signals (seq, id, ticker, catalyst, source, confidence, sentiment, score, content_hash, body, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const stored = new Map<string, StoredIdentity>();
      for (const id of new Set(batch.map((s) => s.id))) {
        const row = findById.get(id) as StoredIdentity | undefined;
        if (row) stored.set(id, row);
      }
      const createdAt = new Date().toISOString();
      // Read under the write lock the immediate transaction holds: no other writer can move it.
      const plan = planAppend(batch, stored, this.sequenceValue(), createdAt);
      for (const { signal, content_hash } of plan.rows) {
        insert.run(
          signal.seq,
          signal.id,
          signal.ticker,
          signal.catalyst,
          signal.source,
          signal.confidence,
          signal.sentiment,
          signal.score ?? null,
          content_hash,
          JSON.stringify(signal),
          createdAt,
        );
      }
      if (plan.rows.length > 0)
        this.stmt("UPDATE sequence SET value = value + ? WHERE name = 'signals'").run(plan.rows.length);
      return plan.results;
    });
    return this.appendTx.immediate(inputs);
  }

  async read(q: ReadQuery): Promise<Signal[]> {
    return (await this.readJson(q)).map(signalFromBody);
  }

  async readJson(q: ReadQuery): Promise<string[]> {
    const where = buildWhere(q, () => '?');
    const rows = this.stmt(`SELECT body FROM signals WHERE ${where.sql} ORDER BY seq LIMIT ?`).all(
      ...where.params,
      q.limit,
    ) as { body: string }[];
    return rows.map((r) => r.body);
  }

  async count(q: Omit<ReadQuery, 'limit'>): Promise<number> {
    const where = buildWhere(q, () => '?');
    return (
      this.stmt(`SELECT COUNT(*) AS n FROM signals WHERE ${where.sql}`).get(...where.params) as { n: number }
    ).n;
  }

  async get(seq: number): Promise<Signal | undefined> {
    const row = this.stmt('SELECT body FROM signals WHERE seq = ?').get(seq) as { body: string } | undefined;
    return row ? signalFromBody(row.body) : undefined;
  }

  async lastSeq(): Promise<number> {
    return this.sequenceValue();
  }

  private sequenceValue(): number {
    return (this.stmt("SELECT value FROM sequence WHERE name = 'signals'").get() as { value: number }).value;
  }

  async ping(): Promise<void> {
    this.stmt('SELECT 1').get();
  }

  async createToken(name: string, hash: string, scopes: Scope[]): Promise<TokenRecord> {
    const created_at = new Date().toISOString();
    try {
      this.stmt('INSERT INTO tokens (name, hash, scopes, created_at) VALUES (?, ?, ?, ?)').run(
        name,
        hash,
        scopes.join(','),
        created_at,
      );
    } catch (err) {
      if ((err as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) {
        throw new CatalystError('conflict', `a token named ${name} already exists`, { field: 'name' });
      }
      throw err;
    }
    return { name, scopes, created_at, revoked_at: null };
  }

  async findTokenByHash(hash: string): Promise<(TokenRecord & { hash: string }) | undefined> {
    const row = this.stmt('SELECT * FROM tokens WHERE hash = ?').get(hash) as TokenRow | undefined;
    return row ? tokenWithHash(row) : undefined;
  }

  async listTokens(): Promise<TokenRecord[]> {
    return (this.stmt('SELECT * FROM tokens ORDER BY created_at, name').all() as TokenRow[]).map(tokenRecord);
  }

  async revokeToken(name: string): Promise<boolean> {
    const r = this.stmt('UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL').run(
      new Date().toISOString(),
      name,
    );
    return r.changes > 0;
  }

  async revokedSince(since: string): Promise<string[]> {
    return (this.stmt('SELECT hash FROM tokens WHERE revoked_at >= ?').all(since) as { hash: string }[]).map(
      (r) => r.hash,
    );
  }

  /** The pipeline's ledger, in this store's file. */
  pipelineLedger(): PipelineLedger {
    return sqlitePipelineLedger(this.db);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
