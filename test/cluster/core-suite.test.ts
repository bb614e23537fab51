// The core issue's end-to-end suite (every test/e2e/*.test.ts, unchanged) run a second time against
// PostgreSQL + Redis with two nodes: CATALYST_E2E_BACKEND=pg-redis-2 makes each node the suite
// starts a pair (test/cluster/support/pair.ts): publishers and admin calls on node A, subscribers on
// node B, one fresh database and Redis prefix per pair. Run by hand the same way:
//   CATALYST_E2E_BACKEND=pg-redis-2 npm test -- e2e
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { POSTGRES_URL, REDIS_URL, requirePostgres, requireRedis } from '../support/servers.js';
import { waitFor } from '../support/wait.js';
import { countKeys } from './support/cluster.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('cluster: the e2e suite on PostgreSQL + Redis with 2 nodes', () => {
  it(
    'every e2e test passes with subscribers and publishers on different nodes',
    { timeout: 560_000 },
    async (t) => {
      if (!(await requirePostgres(t)) || !(await requireRedis(t))) return;
      const files = readdirSync(join(ROOT, 'test/e2e'))
        .filter((f) => f.endsWith('.test.ts'))
        .sort()
        .map((f) => join('test/e2e', f));
      assert.ok(files.length >= 5, 'the e2e suite is there');
      const run = randomBytes(4).toString('hex');
      // NODE_TEST_CONTEXT is how a test runner talks to its file processes: this run is a runner of its own.
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '--test',
          '--test-concurrency=2',
          '--test-timeout=180000',
          '--test-reporter=tap',
          ...files,
        ],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            NODE_TEST_CONTEXT: undefined,
            CATALYST_E2E_BACKEND: 'pg-redis-2',
            CATALYST_CLUSTER_RUN: run,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
      const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      const databases = async () => {
        const c = new pg.Client({ connectionString: POSTGRES_URL });
        await c.connect();
        try {
          const q = 'SELECT datname FROM pg_database WHERE datname LIKE $1';
          return (await c.query<{ datname: string }>(q, [`catalyst_cluster_${run}_%`])).rows.map(
            (r) => r.datname,
          );
        } finally {
          await c.end();
        }
      };
      // The suite really runs on PostgreSQL: this run's databases appear while it goes.
      const seen = await waitFor(
        async () => ((await databases()).length > 0 ? 'database' : child.exitCode !== null && 'exited'),
        'a database of this run',
        120_000,
        200,
      );
      const sawDatabase = seen === 'database';
      const code = await exited;
      const count = (what: string) =>
        Number(new RegExp(`^# ${what} (\\d+)$`, 'm').exec(out)?.[1] ?? Number.NaN);
      const lines = out.split('\n');
      const failed = lines.filter((l) => /^\s*not ok /.test(l));
      if (code !== 0) process.stderr.write(out);
      // CI keeps only the assertion's message, so it carries each failure's own TAP block (its error).
      const why = lines
        .flatMap((l, i) => (/^\s*not ok /.test(l) ? [lines.slice(i, i + 24).join('\n')] : []))
        .join('\n');
      t.diagnostic(
        `${count('tests')} tests in ${files.length} files: ${count('pass')} passed, ${count('fail')} failed, ${count('skipped')} skipped`,
      );
      assert.deepEqual(failed, [], `no e2e test failed on 2 nodes:\n${why}`);
      assert.equal(code, 0);
      assert.ok(count('pass') >= 50, `the suite really ran (${count('pass')} passed)`);
      assert.equal(count('skipped'), 0, 'nothing skipped');
      assert.ok(sawDatabase, 'the pairs ran on PostgreSQL databases of this run');

      // Every pair cleaned up after itself: no database or Redis key of this run is left.
      const left = await databases();
      assert.deepEqual(left, [], 'no database left behind');
      assert.equal(await countKeys(REDIS_URL, `catalyst-test-${run}_*`), 0, 'no Redis key left behind');
    },
  );
});
