import assert from 'node:assert/strict';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import pg from 'pg';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { freePort } from '../support/free-port.js';
import { requirePostgres } from '../support/servers.js';
import { makeSignal } from '../support/signals.js';
import { waitFor, withDeadline } from '../support/wait.js';
import { guarded } from '../support/guarded.js';
import { eventStoreConformance, type Store } from './conformance.js';
import { createTestDatabase, type TestDatabase } from './postgres-database.js';

const postgresFixture = (wrap: (s: Store) => Store) => async (t: TestContext) => {
  if (!(await requirePostgres(t))) return undefined;
  const db = await createTestDatabase();
  const open = async () => {
    const s = wrap(new PostgresStore({ url: db.url, poolMax: 4, applicationName: 'catalyst-test' }));
    await s.migrate();
    return s;
  };
  const store = await open().catch(async (err) => {
    await db.drop();
    throw err;
  });
  return {
    store,
    reopen: open,
    cleanup: async () => {
      await store.close();
      await db.drop();
    },
  };
};

eventStoreConformance(
  'postgres',
  postgresFixture((s) => s),
);
eventStoreConformance('postgres, guarded as main.ts wraps it', postgresFixture(guarded));

// Behaviour only a networked store has: several nodes migrating, aborts, timeouts, outages.
describe('PostgresStore', () => {
  const withDatabase = (title: string, fn: (db: TestDatabase, stores: PostgresStore[]) => Promise<void>) =>
    it(title, async (t) => {
      if (!(await requirePostgres(t))) return;
      const db = await createTestDatabase();
      const stores: PostgresStore[] = [];
      try {
        await fn(db, stores);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
        await db.drop();
      }
    });
  const opened = (stores: PostgresStore[], s: PostgresStore) => (stores.push(s), s);

  /** Holds the sequence row lock from a separate connection, as a slow appender on another node would. */
  async function holdSequenceLock(url: string) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query('BEGIN');
    await c.query("UPDATE sequence SET value = value WHERE name = 'signals'");
    return {
      waiting: async () =>
        (
          await c.query(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
          )
        ).rows[0].n as number,
      release: async () => {
        await c.query('ROLLBACK');
        await c.end();
      },
    };
  }

  withDatabase(
    'nodes that migrate at once apply each migration once and share one epoch',
    async (db, stores) => {
      const nodes = Array.from({ length: 5 }, () =>
        opened(stores, new PostgresStore({ url: db.url, poolMax: 1 })),
      );
      await Promise.all(nodes.map((n) => n.migrate()));
      const epochs = new Set(await Promise.all(nodes.map((n) => n.epoch())));
      assert.equal(epochs.size, 1);
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        const { rows } = await c.query('SELECT version FROM schema_migrations ORDER BY version');
        assert.deepEqual(
          rows,
          POSTGRES_MIGRATIONS.map((m) => ({ version: m.version })),
          'each migration once',
        );
      } finally {
        await c.end();
      }
    },
  );

  withDatabase(
    'an aborted append queued behind another transaction rejects at once and stores nothing',
    async (db, stores) => {
      const store = opened(stores, new PostgresStore({ url: db.url, poolMax: 2 }));
      await store.migrate();
      await assert.rejects(store.append([makeSignal()], AbortSignal.abort()), { name: 'AbortError' });
      const lock = await holdSequenceLock(db.url);
      try {
        const ac = new AbortController();
        const pending = store.append([makeSignal()], ac.signal);
        await waitFor(async () => (await lock.waiting()) > 0, 'the append to queue on the sequence lock');
        ac.abort();
        await withDeadline(
          assert.rejects(pending, { name: 'AbortError' }),
          'the aborted append to reject',
          1000,
        );
      } finally {
        await lock.release();
      }
      assert.equal(await store.lastSeq(), 0);
      const [r] = await store.append([makeSignal()]);
      assert.equal(
        r?.status === 'created' && r.signal.seq,
        1,
        'the pool still works and no seq was consumed',
      );
    },
  );

  withDatabase('the statement timeout bounds an append blocked by another node', async (db, stores) => {
    const store = opened(stores, new PostgresStore({ url: db.url, statementTimeoutMs: 300 }));
    await store.migrate();
    const lock = await holdSequenceLock(db.url);
    try {
      const started = Date.now();
      await assert.rejects(store.append([makeSignal()]), { code: '57014' }); // query_canceled
      assert.ok(Date.now() - started < 2000, 'rejected near the statement timeout');
    } finally {
      await lock.release();
    }
    assert.equal(await store.lastSeq(), 0);
  });

  withDatabase('a batch that fails part way stores nothing and consumes no seq', async (db, stores) => {
    const store = opened(stores, new PostgresStore({ url: db.url }));
    await store.migrate();
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c
      .query("ALTER TABLE signals ADD CONSTRAINT test_reject CHECK (ticker <> 'FAIL')")
      .finally(() => c.end());
    await assert.rejects(store.append([makeSignal(), makeSignal({ ticker: 'FAIL' })]), { code: '23514' });
    assert.equal(await store.lastSeq(), 0);
    assert.deepEqual(await store.read({ afterSeq: 0, limit: 10 }), []);
    const [r] = await store.append([makeSignal()]);
    assert.equal(r?.status === 'created' && r.signal.seq, 1);
  });

  withDatabase(
    'connections the server kills are reported and replaced, never crash the process',
    async (db, stores) => {
      const idleErrors: Error[] = [];
      const store = opened(
        stores,
        new PostgresStore({
          url: db.url,
          applicationName: 'catalyst-kill-test',
          onIdleError: (e) => idleErrors.push(e),
        }),
      );
      await store.migrate();
      await store.append([makeSignal()]);
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        const { rowCount } = await c.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'catalyst-kill-test' AND datname = current_database()",
        );
        assert.ok(rowCount && rowCount > 0, 'the store had an idle connection to kill');
      } finally {
        await c.end();
      }
      await waitFor(() => idleErrors.length > 0, 'the idle connection error to be reported');
      assert.equal(await store.lastSeq(), 1, 'the next call runs on a fresh connection');
    },
  );

  it('an unreachable server fails every call fast with an Error', async () => {
    const port = await freePort();
    const store = new PostgresStore({
      url: `postgres://postgres@127.0.0.1:${port}/none`,
      connectTimeoutMs: 1000,
    });
    try {
      const started = Date.now();
      await assert.rejects(store.ping(), { name: 'StoreUnavailableError' });
      await assert.rejects(store.append([makeSignal()]), { name: 'StoreUnavailableError' });
      await assert.rejects(store.read({ afterSeq: 0, limit: 1 }), /PostgreSQL unavailable/);
      assert.ok(Date.now() - started < 3000);
    } finally {
      await store.close();
    }
  });

  it('closing cuts a connect still waiting on a server that never answers', async (t) => {
    // A wedged server: it accepts the connection and never answers the startup message.
    const held: Socket[] = [];
    const server = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => {
      held.forEach((socket) => socket.destroy());
      server.close();
    });
    const { port } = server.address() as AddressInfo;
    const store = new PostgresStore({
      url: `postgres://postgres@127.0.0.1:${port}/none`,
      connectTimeoutMs: 60_000,
    });
    await assert.rejects(store.ping(AbortSignal.timeout(100)), { name: 'TimeoutError' });
    // The call gave up; close must not wait out the connect (a CLI command would hang that long).
    await withDeadline(store.close(), 'the store to close', 10_000);
  });
});
