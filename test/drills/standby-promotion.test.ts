// The standby promotion drill: a node on a PostgreSQL primary of its own with a streaming standby
// (pg_basebackup), subscribers connected, the primary killed; runbooks/procedures/standby-promotion.md,
// run verbatim, promotes the standby and renews the epoch; a node on the promoted server serves the
// replayed history. Subscribers see their exact history, then an explicit reset, never a gap.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { PrivatePostgres } from '../cluster/support/private-postgres.js';
import { createToken, e2e, startNode } from '../support/node.js';
import { waitFor } from '../support/wait.js';
import { requirePostgresBinaries, sql, storeUrl } from './support/postgres.js';
import { RunbookRunner } from './support/runbook.js';
import { assertResetThenHistory, DrillSubscriber, type Entry } from './support/subscriber.js';
import { publishEntry } from './support/workload.js';

describe('drill: standby promotion', () => {
  e2e(
    'the primary is lost; the promoted standby serves the replayed history under a new epoch',
    async (t) => {
      const bin = await requirePostgresBinaries(t);
      if (!bin) return;
      const primary = await PrivatePostgres.start(bin);
      t.after(() => primary.dispose());
      await sql(primary.url, 'CREATE DATABASE catalyst');
      const standby = await PrivatePostgres.standbyOf(primary);
      t.after(() => standby.dispose());

      const onPrimary = { env: { DATABASE_URL: storeUrl(primary) } };
      const node = await startNode(t, onPrimary);
      const { token } = await createToken(onPrimary, ['publish', 'subscribe']);
      const all = new DrillSubscriber(t, node.wsUrl, token, { replayAll: true });
      const onlyAaa = new DrillSubscriber(t, node.wsUrl, token, { ticker: 'AAA' });
      await Promise.all([all.client.connect(), onlyAaa.client.connect()]);

      const history: Entry[] = [];
      for (let i = 0; i < 30; i++) history.push(await publishEntry(node, token, i));
      for (const sub of [all, onlyAaa]) {
        const last = history.filter(sub.matches).at(-1)![0];
        await waitFor(() => sub.seqs().includes(last), 'the subscriber to catch up', 20_000);
      }
      const [{ lsn }] = (await sql<{ lsn: string }>(
        primary.url,
        'SELECT pg_current_wal_lsn()::text AS lsn',
      )) as [{ lsn: string }];
      await waitFor(
        async () =>
          (
            await sql<{ ok: boolean }>(standby.url, 'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [
              lsn,
            ])
          )[0]?.ok,
        'the standby to replay the primary',
        20_000,
        50,
      );

      // Disaster: the primary dies, and with it the node's store.
      await primary.stop();
      await node.kill9();

      const runbook = new RunbookRunner({ STANDBY_URL: standby.url, DATABASE_URL: storeUrl(standby) });
      t.after(() => runbook.dispose());
      const started = Date.now();
      const lag = await runbook.run('standby-promotion.md', 'lag');
      assert.match(lag.stdout, /^t\|/, 'the standby was still replaying');
      await runbook.run('standby-promotion.md', 'promote');
      await runbook.run('standby-promotion.md', 'check');
      const promoted = await startNode(t, { port: node.port, env: { DATABASE_URL: storeUrl(standby) } });
      const recoveryMs = Date.now() - started;
      assert.notEqual(promoted.epoch, node.epoch, 'a new epoch on the promoted store');

      for (const sub of [all, onlyAaa])
        await waitFor(() => sub.view().reset !== undefined, 'a reset', 20_000);
      const fresh: Entry[] = [];
      for (let i = 0; i < 6; i++) fresh.push(await publishEntry(promoted, token, i));
      assert.deepEqual(
        fresh.map(([seq]) => seq),
        [31, 32, 33, 34, 35, 36],
      );
      for (const [sub, wantAfter] of [
        [all, [...history, ...fresh]],
        [onlyAaa, fresh],
      ] as const) {
        await assertResetThenHistory(sub, history, wantAfter, 'promoted');
      }
      t.diagnostic(`standby promoted and serving in ${recoveryMs} ms`);
    },
    { timeout: 180_000 },
  );
});
