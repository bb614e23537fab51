// EventStore and TokenStore on PostgreSQL (pg, pooled), for many nodes sharing one database. Same
// schema and behaviour as the SQLite adapter; both pass test/store/conformance.ts.
import type pg from 'pg';
import { CatalystError } from '../../domain/errors.js';
import type { Signal, SignalInput } from '../../domain/signal.js';
import type { PipelineLedger } from '../../pipeline/ledger.js';
import { type PlannedRow, planAppend, type StoredIdentity, signalFromBody } from '../append-plan.js';
import type { AppendResult, EventStore, ReadQuery } from '../event-store.js';
import { buildWhere } from '../sql-filter.js';
import { type TokenRow, tokenRecord, tokenWithHash } from '../token-row.js';
import type { Scope, TokenRecord, TokenStore } from '../token-store.js';
import { postgresPipelineLedger } from './pipeline-ledger.js';
import { migrate } from './migrations.js';
import { PgPool, type PoolOptions } from './pool.js';

export type PostgresStoreOptions = PoolOptions & {
  /** Told about connections that break while idle in the pool (nothing else to do with them). */
  onIdleError?: (err: Error) => void;
};

const dollar = (i: number) => `$${i}`;

// One statement whatever the batch size: columns travel as arrays, so a batch of 1000 stays far below
// the 65535-parameter limit and the statement text never changes.
const INSERT_ROWS = `
  INSERT INTO signals (seq, id, ticker, catalyst, source, confidence, sentiment, score, content_hash, body, created_at)
  SELECT t.*, $11::timestamptz
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[],
              $8::float8[], $9::text[], $10::text[])
    AS t(seq, id, ticker, catalyst, source, confidence, sentiment, score, content_hash, body)`;

const columns = (rows: PlannedRow[], createdAt: string): unknown[] => [
  rows.map((r) => r.signal.seq),
  rows.map((r) => r.signal.id),
  rows.map((r) => r.signal.ticker),
  rows.map((r) => r.signal.catalyst),
  rows.map((r) => r.signal.source),
  rows.map((r) => r.signal.confidence),
  rows.map((r) => r.signal.sentiment),
  rows.map((r) => r.signal.score ?? null),
  rows.map((r) => r.content_hash),
  rows.map((r) => JSON.stringify(r.signal)),
  createdAt,
];

export class PostgresStore implements EventStore, TokenStore {
  readonly kind = 'postgres';
  private readonly pool: PgPool;
  private cachedEpoch: string | undefined;

  constructor(opts: PostgresStoreOptions) {
    this.pool = new PgPool(opts, opts.onIdleError ?? (() => undefined));
  }

  migrate(abort?: AbortSignal): Promise<void> {
    return migrate(this.pool, abort);
  }

  async epoch(abort?: AbortSignal): Promise<string> {
    this.cachedEpoch ??= (
      await this.pool.query<{ value: string }>("SELECT value FROM meta WHERE key = 'epoch'", [], abort)
    )[0]?.value;
    if (!this.cachedEpoch) throw new Error('the store has no epoch: run migrate() first');
    return this.cachedEpoch;
  }

  /**
   * The counter row is locked FIRST: every appender, on any node, queues there, so transactions
   * commit in seq order. Under READ COMMITTED each later statement takes a fresh snapshot, so the
   * id lookup sees every row committed by the appender that held the lock before.
   */
  append(inputs: SignalInput[], abort?: AbortSignal): Promise<AppendResult[]> {
    if (inputs.length === 0) return Promise.resolve([]);
    return this.pool.transaction(abort, async (c) => {
      // created_at from the database's clock once the lock is held: in seq order whatever any
      // node's wall clock says (a node whose clock stepped an hour would otherwise stamp its signals
      // an hour off; chaos/scenarios clock-jump).
      const counter = await c.query<{ value: number; now: Date | string }>(
        "UPDATE sequence SET value = value + 0 WHERE name = 'signals' RETURNING value, clock_timestamp() AS now",
      );
      const found = await c.query<StoredIdentity & { id: string }>(
        'SELECT id, seq, content_hash, body FROM signals WHERE id = ANY($1::text[])',
        [[...new Set(inputs.map((s) => s.id))]],
      );
      const createdAt = new Date(counter.rows[0]!.now).toISOString();
      const plan = planAppend(
        inputs,
        new Map(found.rows.map((r) => [r.id, r])),
        counter.rows[0]!.value,
        createdAt,
      );
      if (plan.rows.length > 0) {
        await c.query(INSERT_ROWS, columns(plan.rows, createdAt));
        await c.query("UPDATE sequence SET value = value + $1 WHERE name = 'signals'", [plan.rows.length]);
      }
      return plan.results;
    });
  }

  async read(q: ReadQuery, abort?: AbortSignal): Promise<Signal[]> {
    return (await this.readJson(q, abort)).map(signalFromBody);
  }

  async readJson(q: ReadQuery, abort?: AbortSignal): Promise<string[]> {
    const where = buildWhere(q, dollar);
    const sql = `SELECT body FROM signals WHERE ${where.sql} ORDER BY seq LIMIT ${dollar(where.params.length + 1)}`;
    const rows = await this.pool.query<{ body: string }>(sql, [...where.params, q.limit], abort);
    return rows.map((r) => r.body);
  }

  async count(q: Omit<ReadQuery, 'limit'>, abort?: AbortSignal): Promise<number> {
    const where = buildWhere(q, dollar);
    const rows = await this.pool.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM signals WHERE ${where.sql}`,
      where.params,
      abort,
    );
    return rows[0]!.n;
  }

  async get(seq: number, abort?: AbortSignal): Promise<Signal | undefined> {
    const [row] = await this.pool.query<{ body: string }>(
      'SELECT body FROM signals WHERE seq = $1',
      [seq],
      abort,
    );
    return row ? signalFromBody(row.body) : undefined;
  }

  async lastSeq(abort?: AbortSignal): Promise<number> {
    const [row] = await this.pool.query<{ value: number }>(
      "SELECT value FROM sequence WHERE name = 'signals'",
      [],
      abort,
    );
    return row!.value;
  }

  async ping(abort?: AbortSignal): Promise<void> {
    await this.pool.query('SELECT 1', [], abort);
  }

  async createToken(name: string, hash: string, scopes: Scope[], abort?: AbortSignal): Promise<TokenRecord> {
    const created_at = new Date().toISOString();
    try {
      await this.pool.query(
        'INSERT INTO tokens (name, hash, scopes, created_at) VALUES ($1, $2, $3, $4)',
        [name, hash, scopes.join(','), created_at],
        abort,
      );
    } catch (err) {
      if ((err as pg.DatabaseError).code === '23505') {
        throw new CatalystError('conflict', `a token named ${name} already exists`, { field: 'name' });
      }
      throw err;
    }
    return { name, scopes, created_at, revoked_at: null };
  }

  async findTokenByHash(
    hash: string,
    abort?: AbortSignal,
  ): Promise<(TokenRecord & { hash: string }) | undefined> {
    const [row] = await this.pool.query<TokenRow>('SELECT * FROM tokens WHERE hash = $1', [hash], abort);
    return row ? tokenWithHash(row) : undefined;
  }

  async listTokens(abort?: AbortSignal): Promise<TokenRecord[]> {
    return (await this.pool.query<TokenRow>('SELECT * FROM tokens ORDER BY created_at, name', [], abort)).map(
      tokenRecord,
    );
  }

  async revokeToken(name: string, abort?: AbortSignal): Promise<boolean> {
    // The database's clock, not this node's: every node's poll compares against it (token-cache.ts).
    const rows = await this.pool.query(
      'UPDATE tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL RETURNING name',
      [name],
      abort,
    );
    return rows.length > 0;
  }

  async revokedSince(since: string, abort?: AbortSignal): Promise<string[]> {
    const rows = await this.pool.query<{ hash: string }>(
      'SELECT hash FROM tokens WHERE revoked_at >= $1::timestamptz',
      [since],
      abort,
    );
    return rows.map((r) => r.hash);
  }

  /** The pipeline's ledger, in this store's database. */
  pipelineLedger(): PipelineLedger {
    return postgresPipelineLedger(this.pool);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
