// A dependency call that passes its deadline is cancelled where it runs, not only abandoned: a token
// lookup against a wedged PostgreSQL leaves no backend running it.
import assert from 'node:assert/strict';
import { describe, type TestContext } from 'node:test';
import pg from 'pg';
import { createToken, e2e, request } from '../support/node.js';
import { requirePostgres } from '../support/servers.js';
import { waitFor } from '../support/wait.js';
import { errorShape, nodeBehindProxy, type ProxiedUpstream, round, timed } from './support.js';

/** The node's backends (application catalyst) still running a statement on the tokens table. */
async function tokenLookupsRunning(dbUrl: string, dbName: string, query = '%FROM tokens%'): Promise<number> {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity
        WHERE datname = $1 AND application_name = 'catalyst' AND state = 'active' AND query ILIKE $2`,
      [dbName, query],
    );
    return Number(r.rows[0]!.n);
  } finally {
    await c.end();
  }
}

/** Another session holding the tokens table, so a lookup reaches PostgreSQL and waits there. */
async function lockTokens(t: TestContext, dbUrl: string): Promise<pg.Client> {
  const locker = new pg.Client({ connectionString: dbUrl });
  locker.on('error', () => undefined); // the test database is dropped with this session still open
  await locker.connect();
  t.after(() => locker.end());
  await locker.query('BEGIN; LOCK TABLE tokens IN ACCESS EXCLUSIVE MODE');
  return locker;
}

/** Once the toxic is gone, the node's lookups work again (its pool reconnects). */
async function lookupsWorkAgain(proxy: ProxiedUpstream, nodeUrl: string, token: string): Promise<void> {
  await proxy.removeToxic('wedge');
  await waitFor(
    async () => (await request(nodeUrl, 'GET', '/signals', { token })).status === 200,
    'lookups to work again once the toxic is gone',
    10_000,
    100,
  );
}

const STORE_POLICY = { CATALYST_DEP_STORE_TIMEOUT_MS: '400', CATALYST_DEP_STORE_RETRY_ATTEMPTS: '1' };

describe('cancelled token lookups', () => {
  e2e('a lookup stuck behind a lock is cancelled on the server at its deadline', async (t) => {
    if (!(await requirePostgres(t))) return;
    const { db, token: known, node } = await nodeBehindProxy(t, ['subscribe'], STORE_POLICY);
    assert.equal((await request(node.url, 'GET', '/signals', { token: known })).status, 200);
    // A token the node has never checked: its lookup goes to the store (a checked one is cached).
    const { token } = await createToken({ env: { DATABASE_URL: db.url } }, ['subscribe']);
    // Another session holds the tokens table: the lookup reaches PostgreSQL and waits there. Only a
    // cancel on the server ends it before statement_timeout (5 s); dropping our socket does not.
    const locker = await lockTokens(t, db.url);
    const r = await timed(() => request(node.url, 'GET', '/signals', { token }));
    assert.equal(errorShape(r.value, 503, 'unavailable'), undefined);
    assert.match(r.value.body.error.message, /timed out after 400 ms/);
    await waitFor(
      async () => (await tokenLookupsRunning(db.url, db.name)) === 0,
      'no backend left running the token lookup',
      1500,
      20,
    );
    await locker.query('ROLLBACK');
    assert.equal((await request(node.url, 'GET', '/signals', { token })).status, 200, 'later lookups work');
    t.diagnostic(`locked lookup answered 503 in ${round(r.ms)} ms (deadline 400 ms)`);
  });

  e2e(
    'a lookup through a wedged connection (timeout toxic) answers 503 at its deadline, nothing left running',
    async (t) => {
      if (!(await requirePostgres(t))) return;
      const { proxy, db, token, node } = await nodeBehindProxy(t, ['subscribe'], STORE_POLICY);
      assert.equal((await request(node.url, 'GET', '/signals', { token })).status, 200);
      await proxy.addToxic({
        name: 'wedge',
        type: 'timeout',
        stream: 'upstream',
        attributes: { timeout: 0 },
      });
      const r = await timed(() => request(node.url, 'GET', '/signals', { token }));
      assert.equal(errorShape(r.value, 503, 'unavailable'), undefined);
      assert.ok(r.ms < 3000, `answered in ${round(r.ms)} ms, within a few deadlines`);
      assert.equal(await tokenLookupsRunning(db.url, db.name), 0);
      await lookupsWorkAgain(proxy, node.url, token);
    },
  );

  e2e(
    'a lookup running on the server when its connection wedges (timeout toxic) is cancelled there at its deadline',
    async (t) => {
      if (!(await requirePostgres(t))) return;
      const { proxy, db, token: known, node } = await nodeBehindProxy(t, ['subscribe'], STORE_POLICY);
      assert.equal((await request(node.url, 'GET', '/signals', { token: known })).status, 200);
      const { token } = await createToken({ env: { DATABASE_URL: db.url } }, ['subscribe']);
      // The lookup must be running on the server when the wedge hides it: held there by a lock, its
      // answer (and PostgreSQL's notice of our dropped socket) blocked by the toxic on the way back.
      const locker = await lockTokens(t, db.url);
      await proxy.addToxic({
        name: 'wedge',
        type: 'timeout',
        stream: 'downstream',
        attributes: { timeout: 0 },
      });
      const lookup = '%FROM tokens WHERE hash%';
      const reply = timed(() => request(node.url, 'GET', '/signals', { token }));
      await waitFor(
        async () => (await tokenLookupsRunning(db.url, db.name, lookup)) > 0,
        'the lookup to reach PostgreSQL',
        5000,
        20,
      );
      const r = await reply;
      assert.equal(errorShape(r.value, 503, 'unavailable'), undefined);
      assert.match(r.value.body.error.message, /timed out after 400 ms/);
      // Only a cancel on the server ends it before the lock is released or statement_timeout (5 s).
      await waitFor(
        async () => (await tokenLookupsRunning(db.url, db.name, lookup)) === 0,
        'no backend left running the token lookup',
        1500,
        20,
      );
      await locker.query('ROLLBACK');
      await lookupsWorkAgain(proxy, node.url, token);
      t.diagnostic(`wedged lookup answered 503 in ${round(r.ms)} ms (deadline 400 ms)`);
    },
  );
});
