// One pg.Pool per store, configured so that no call can hang: connecting and waiting for a free
// connection are bounded, every statement has a server-side timeout and a client-side one (for a
// network that silently drops packets), and an AbortSignal ends a call by cancelling its statement
// on the server and destroying its connection, which makes PostgreSQL roll back whatever
// transaction it had open.
import pg from 'pg';
import { cancelBackend } from './cancel.js';

export interface PoolOptions {
  url: string;
  poolMax?: number;
  statementTimeoutMs?: number;
  applicationName?: string;
  /** Bound on opening a connection or waiting for a free one. */
  connectTimeoutMs?: number;
}

/** Lets a transaction stop an abort from interrupting it once COMMIT is on the wire. */
export interface Lease {
  /** After this, an abort no longer destroys the connection (an interrupted COMMIT is ambiguous). */
  shield(): void;
}

// BIGINT (oid 20) as a JS number: seqs and counts stay far below 2^53.
const INT8 = 20;
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

// SQLSTATE classes that say the server or the connection is gone, not that the statement is wrong.
const UNAVAILABLE_STATES = /^(08|53|57P0[1-4])/;

/** Rewrites connection-level failures as one recognisable Error; SQL errors pass through unchanged. */
export function unavailableError(err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  const fromServer = err instanceof pg.DatabaseError;
  if (fromServer && !(typeof code === 'string' && UNAVAILABLE_STATES.test(code))) return err;
  const message = err instanceof Error ? err.message : String(err);
  const e = new Error(`PostgreSQL unavailable: ${message}`, { cause: err });
  e.name = 'StoreUnavailableError';
  return e;
}

export class PgPool {
  private readonly pool: pg.Pool;
  /** Connections still being opened: end() cuts them rather than wait out their connect timeout. */
  private readonly opening = new Set<pg.Client>();
  private ended = false;

  constructor(opts: PoolOptions, onIdleError: (err: Error) => void) {
    const statementTimeout = opts.statementTimeoutMs ?? 5000;
    const opening = this.opening;
    class PoolMember extends pg.Client {
      constructor(config?: string | pg.ClientConfig) {
        super(config);
        opening.add(this);
        // Failed or closed: no longer opening (a connected one leaves on the pool's 'connect').
        this.once('end', () => opening.delete(this));
      }
    }
    this.pool = new pg.Pool({
      Client: PoolMember,
      connectionString: opts.url,
      max: opts.poolMax ?? 10,
      application_name: opts.applicationName ?? 'catalyst',
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
      statement_timeout: statementTimeout,
      query_timeout: statementTimeout + 2000,
      // A client that dies mid-transaction must not hold the sequence row lock for long.
      idle_in_transaction_session_timeout: statementTimeout * 2,
      keepAlive: true,
      types,
    });
    // An idle connection that breaks emits here; without a listener it would crash the process.
    this.pool.on('error', onIdleError);
    this.pool.on('connect', (c) => opening.delete(c));
  }

  /** Runs `fn` on one connection; an abort cancels its statement, destroys the connection and rejects with the reason. */
  async session<T>(
    abort: AbortSignal | undefined,
    fn: (c: pg.PoolClient, lease: Lease) => Promise<T>,
  ): Promise<T> {
    abort?.throwIfAborted();
    const client = await this.connect(abort);
    // pg-pool listens for errors on idle clients only: a checked-out client whose connection drops
    // (PostgreSQL restarts, a proxy cuts it) emits 'error', which with no listener kills the process.
    // The same error also fails the query in flight, so this listener has nothing more to do.
    const onClientError = () => undefined;
    client.on('error', onClientError);
    let released = false;
    let shielded = false;
    const release = (err?: Error) => {
      if (released) return;
      released = true;
      client.removeListener('error', onClientError);
      client.release(err);
    };
    let running = false;
    const onAbort = () => {
      if (shielded) return;
      if (running) cancelBackend(client);
      release(new Error('aborted'));
    };
    abort?.addEventListener('abort', onAbort, { once: true });
    try {
      running = true;
      const result = await fn(client, { shield: () => (shielded = true) });
      running = false;
      release();
      return result;
    } catch (err) {
      if (abort?.aborted && !shielded) throw abort.reason;
      // A connection that failed mid-call is not returned to the pool.
      const mapped = unavailableError(err);
      release(mapped === err ? undefined : (mapped as Error));
      throw mapped;
    } finally {
      abort?.removeEventListener('abort', onAbort);
      release();
    }
  }

  /**
   * Runs `fn` between BEGIN and COMMIT on one connection; rolls back when it throws. An abort counts
   * only until COMMIT is sent: after that the outcome is awaited, so an aborted call never hides a
   * commit. (Only a connection that breaks during COMMIT leaves the outcome unknown, as with any
   * networked database; append's idempotent ids make the caller's retry safe.)
   */
  transaction<T>(abort: AbortSignal | undefined, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.session(abort, async (c, lease) => {
      await c.query('BEGIN');
      let result: T;
      try {
        result = await fn(c);
      } catch (err) {
        // A broken or timed-out connection is discarded by session() and the server rolls back on
        // its own; waiting for a ROLLBACK on it would only double the delay.
        if (unavailableError(err) === err) await c.query('ROLLBACK');
        throw err;
      }
      lease.shield();
      await c.query('COMMIT');
      return result;
    });
  }

  /** A one-statement call outside any transaction. */
  query<R extends pg.QueryResultRow>(sql: string, params: unknown[], abort?: AbortSignal): Promise<R[]> {
    return this.session(abort, async (c) => (await c.query<R>(sql, params)).rows);
  }

  private async connect(abort: AbortSignal | undefined): Promise<pg.PoolClient> {
    const pending = this.pool.connect();
    if (!abort) return pending.catch((err) => Promise.reject(unavailableError(err)));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        reject(abort.reason);
        // The connection may still arrive: hand it straight back.
        pending.then(
          (c) => c.release(),
          () => undefined,
        );
      };
      abort.addEventListener('abort', onAbort, { once: true });
      pending.then(
        (c) => {
          abort.removeEventListener('abort', onAbort);
          if (abort.aborted) return;
          resolve(c);
        },
        (err) => {
          abort.removeEventListener('abort', onAbort);
          reject(unavailableError(err));
        },
      );
    });
  }

  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    const ended = this.pool.end();
    // pg-pool's end waits for every connect in progress, which against a wedged or blackholed
    // server is the whole connect timeout: a command that already failed would hang that long.
    for (const c of this.opening) c.connection.stream.destroy();
    await ended;
  }
}
