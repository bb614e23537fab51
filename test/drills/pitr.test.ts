// The point-in-time recovery drill: a PostgreSQL cluster of its own (initdb on a free port, run as
// the postgres user) archiving WAL to a local pgBackRest repository; a full backup; a first batch of
// known writes, the target time, a second batch; then runbooks/procedures/pitr.md, run verbatim, brings the
// store back to the target. Exactly the first batch must be there, the store must verify, its epoch
// must change, and new seqs continue after the recovered ones.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { PrivatePostgres } from '../cluster/support/private-postgres.js';
import { e2e } from '../support/node.js';
import { requireBinary } from '../support/servers.js';
import { makeSignal } from '../support/signals.js';
import { waitFor } from '../support/wait.js';
import { requirePostgresBinaries, sql, storeUrl } from './support/postgres.js';
import { RunbookRunner } from './support/runbook.js';

/** Makes `dir` (and what pgBackRest writes under it) the postgres user's, as a real repository is. */
function ownedByPostgres(dir: string): void {
  mkdirSync(dir, { recursive: true });
  if (userInfo().uid !== 0) return;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(dir, uid, gid);
}

describe('drill: point-in-time recovery with pgBackRest', () => {
  e2e(
    'restoring to a time between two known writes keeps exactly the earlier ones',
    async (t) => {
      if (!(await requireBinary(t, 'pgbackrest'))) return;
      const bin = await requirePostgresBinaries(t);
      if (!bin) return;
      const dir = mkdtempSync(join(tmpdir(), 'catalyst-pitr-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      ownedByPostgres(dir);
      for (const sub of ['repo', 'log', 'lock']) ownedByPostgres(join(dir, sub));
      // Every pgbackrest call finds its configuration through PGBACKREST_CONFIG, as it would find
      // /etc/pgbackrest/pgbackrest.conf: the runbook's commands, and the archive_command and
      // restore_command the server runs (it inherits the env of the process that starts it).
      const config = join(dir, 'pgbackrest.conf');
      process.env.PGBACKREST_CONFIG = config;
      t.after(() => delete process.env.PGBACKREST_CONFIG);
      const server = await PrivatePostgres.start(bin);
      t.after(() => server.dispose());

      writeFileSync(
        config,
        [
          '[global]',
          `repo1-path=${join(dir, 'repo')}`,
          `log-path=${join(dir, 'log')}`,
          `lock-path=${join(dir, 'lock')}`,
          'start-fast=y',
          'log-level-console=warn',
          '',
          '[catalyst]',
          `pg1-path=${join(server.dir, 'data')}`,
          `pg1-port=${server.port}`,
          `pg1-socket-path=${server.dir}`,
          '',
        ].join('\n'),
      );
      // The runbook's postgresql.conf settings (ALTER SYSTEM writes them to postgresql.auto.conf).
      for (const setting of [
        'wal_level = replica',
        'archive_mode = on',
        "archive_command = 'pgbackrest --stanza=catalyst archive-push %p'",
      ]) {
        await sql(server.url, `ALTER SYSTEM SET ${setting}`);
      }
      await server.stop();
      await server.start();

      const databaseUrl = storeUrl(server);
      const runbook = new RunbookRunner({ DATABASE_URL: databaseUrl });
      t.after(() => runbook.dispose());
      const asPostgres = { asUser: 'postgres', timeoutMs: 120_000 };
      await runbook.run('pitr.md', 'setup', asPostgres);
      await sql(server.url, 'CREATE DATABASE catalyst');
      const store = new PostgresStore({ url: databaseUrl, applicationName: 'catalyst-drill' });
      await store.migrate();
      const epoch = await store.epoch();
      await runbook.run('pitr.md', 'backup', asPostgres);

      // Two known batches, with the target time read from the server's clock between them.
      // pgBackRest picks the backup to restore by its stop time, in whole seconds, strictly before
      // the target: the target waits for the server's clock to pass the backup's second.
      const info = JSON.parse((await runbook.run('pitr.md', 'backup-info', asPostgres)).stdout) as Array<{
        backup: Array<{ timestamp: { stop: number } }>;
      }>;
      const backupStop = info[0]!.backup.at(-1)!.timestamp.stop;
      const first = Array.from({ length: 30 }, () => makeSignal());
      const second = Array.from({ length: 30 }, () => makeSignal());
      for (const s of first) await store.append([s]);
      const serverNow = async () =>
        (
          await sql<{ epoch: number; text: string }>(
            databaseUrl,
            "SELECT extract(epoch FROM clock_timestamp())::float8 AS epoch, to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00' AS text",
          )
        )[0]!;
      const target = await waitFor(
        async () => {
          const n = await serverNow();
          return Math.floor(n.epoch) > backupStop && n.text;
        },
        "the server's clock to pass the backup's stop second",
        5000,
        50,
      );
      for (const s of second) await store.append([s]);
      assert.equal(await store.lastSeq(), 60);
      await store.close();

      await runbook.run('pitr.md', 'flush', asPostgres);
      await server.stop();
      const started = Date.now();
      await runbook.run('pitr.md', 'restore', { ...asPostgres, env: { TARGET_TIME: target } });
      await server.start().catch((err) => {
        // The server log says why recovery stopped (a target outside the archive, a bad setting).
        t.diagnostic(readFileSync(join(server.dir, 'log'), 'utf8').split('\n').slice(-30).join('\n'));
        throw err;
      });
      const check = await runbook.run('pitr.md', 'check', { timeoutMs: 180_000 });
      const recoveryMs = Date.now() - started;

      const recovered = new PostgresStore({ url: databaseUrl, applicationName: 'catalyst-drill' });
      t.after(() => recovered.close());
      const ids = (await recovered.read({ afterSeq: 0, limit: 1000 })).map((s) => s.id);
      assert.deepEqual(
        ids,
        first.map((s) => s.id),
        'exactly the writes before the target',
      );
      assert.notEqual(await recovered.epoch(), epoch, 'a new epoch: the later history is gone');
      assert.equal(await recovered.epoch(), check.stdout.trim().split('\n').at(-1));
      const [next] = await recovered.append([makeSignal()]);
      assert.equal(next?.status === 'created' && next.signal.seq, 31);
      // The seed schedules its work in 5-minute steps; a recovery slower than one step would miss one.
      assert.ok(recoveryMs < 5 * 60_000, `recovered in ${recoveryMs} ms`);
      t.diagnostic(`PITR to ${target}: restore + replay + promote + verify in ${recoveryMs} ms`);
    },
    { timeout: 240_000 },
  );
});
