// The restore drill: a node under write load is backed up by the runbook's routine, its store is
// destroyed, and the runbook's restore steps (runbooks/procedures/restore.md, run verbatim) bring it back.
// Two subscribers that were connected throughout must each see either their exact history or an
// explicit reset, never a silent gap; new seqs continue after the restored ones; the node exports
// the backup and drill times. Once on SQLite and once on PostgreSQL.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, type TestContext } from 'node:test';
import type { Manifest } from '../../src/store/backup/manifest.js';
import { createTestDatabase } from '../store/postgres-database.js';
import { createToken, e2e, request, startNode } from '../support/node.js';
import { POSTGRES_URL, requireBinary, requirePostgres } from '../support/servers.js';
import { waitFor } from '../support/wait.js';
import { RunbookRunner } from './support/runbook.js';
import { assertResetThenHistory, DrillSubscriber, type Entry, matching } from './support/subscriber.js';
import { publishEntry } from './support/workload.js';

async function restoreDrill(t: TestContext, kind: 'sqlite' | 'postgres') {
  if (kind === 'postgres' && !((await requirePostgres(t)) && (await requireBinary(t, 'pg_restore')))) return;
  const dir = mkdtempSync(join(tmpdir(), 'catalyst-drill-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = kind === 'postgres' ? await createTestDatabase() : undefined;
  if (db) t.after(() => db.drop());
  const dataDir = join(dir, 'data');
  const storeEnv = db ? { DATABASE_URL: db.url } : {};
  const runbook = new RunbookRunner({
    BACKUP_DIR: join(dir, 'backups'),
    CATALYST_DATA_DIR: dataDir,
    DATABASE_URL: db?.url,
    ADMIN_DATABASE_URL: db ? POSTGRES_URL : undefined,
  });
  t.after(() => runbook.dispose());
  const drillStart = Date.now() / 1000;

  const node = await startNode(t, { dataDir, env: storeEnv });
  const { token } = await createToken({ dataDir, env: storeEnv }, ['publish', 'subscribe']);
  const all = new DrillSubscriber(t, node.wsUrl, token, { replayAll: true });
  const onlyAaa = new DrillSubscriber(t, node.wsUrl, token, { ticker: 'AAA' });
  await Promise.all([all.client.connect(), onlyAaa.client.connect()]);

  // Two publishers write until told to stop; every acknowledged signal is recorded by its seq.
  const acked = new Map<number, Entry>();
  let stop = false;
  const publishOne = (i: number) => publishEntry(node, token, i);
  const worker = async (w: number) => {
    for (let i = w; !stop; i += 2) {
      const e = await publishOne(i);
      acked.set(e[0], e);
    }
  };
  const publishers = Promise.all([worker(0), worker(1)]);
  await waitFor(() => acked.size >= 40, '40 acknowledged signals', 20_000);
  await runbook.run('restore.md', 'backup');
  const manifests = readdirSync(join(dir, 'backups')).filter((f) => f.endsWith('.manifest.json'));
  assert.equal(manifests.length, 1);
  const manifest = JSON.parse(readFileSync(join(dir, 'backups', manifests[0]!), 'utf8')) as Manifest;
  await waitFor(() => acked.size >= manifest.last_seq + 40, 'signals stored after the backup', 20_000);
  stop = true;
  await publishers;
  const history = [...acked.values()].sort(([a], [b]) => a - b);
  const liveHead = history.length;
  assert.deepEqual(
    history.map(([seq]) => seq),
    Array.from({ length: liveHead }, (_, i) => i + 1),
  );
  assert.ok(manifest.last_seq >= 40 && manifest.last_seq < liveHead, 'the backup was taken under load');
  for (const sub of [all, onlyAaa]) {
    const last = history.filter(sub.matches).at(-1)![0];
    await waitFor(() => sub.seqs().includes(last), 'the subscriber to catch up', 20_000);
  }

  // Disaster: the node dies and its store is destroyed.
  await node.kill9();
  if (db) await db.drop();
  else for (const f of readdirSync(dataDir)) if (f.startsWith('catalyst.db')) rmSync(join(dataDir, f));

  const restoreStarted = Date.now();
  await runbook.run('restore.md', kind === 'postgres' ? 'set-aside-postgres' : 'set-aside-sqlite');
  await runbook.run('restore.md', 'restore');
  await node.restart();
  const recoveryMs = Date.now() - restoreStarted;
  assert.notEqual(node.epoch, manifest.epoch, 'the restored store has a new epoch');

  // Both reconnected by themselves and learned of the new history before anything new is stored.
  for (const sub of [all, onlyAaa]) await waitFor(() => sub.view().reset !== undefined, 'a reset', 20_000);

  // New signals continue after the restored head.
  const fresh: Entry[] = [];
  for (let i = 0; i < 6; i++) fresh.push(await publishOne(i));
  assert.deepEqual(
    fresh.map(([seq]) => seq),
    [1, 2, 3, 4, 5, 6].map((i) => manifest.last_seq + i),
  );

  // Each subscriber: exactly the live history it matched, then an explicit reset (the history
  // differs: the signals after the backup are gone), then the new history with no gap.
  const restored = history.slice(0, manifest.last_seq);
  for (const [sub, wantAfter] of [
    [all, [...restored, ...fresh]],
    [onlyAaa, fresh.filter(onlyAaa.matches)],
  ] as const) {
    await assertResetThenHistory(sub, history, wantAfter, 'restored');
  }

  // The routine runs again on the restored store; the node exports both times.
  await runbook.run('restore.md', 'backup');
  const metrics = (await request<string>(node.url, 'GET', '/metrics')).body;
  for (const name of [
    'catalyst_backup_last_success_timestamp_seconds',
    'catalyst_restore_drill_last_success_timestamp_seconds',
  ]) {
    const value = Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
    assert.ok(value >= drillStart, `${name} is ${value}, recorded during the drill`);
  }
  t.diagnostic(
    `${kind}: backup at seq ${manifest.last_seq} of ${liveHead}; destroyed -> serving again in ${recoveryMs} ms`,
  );
}

/** A planned move with the nodes stopped: nothing is lost, so the epoch stays and nobody resets. */
async function moveDrill(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'catalyst-drill-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const [oldDir, newDir] = [join(dir, 'old'), join(dir, 'new')];
  const runbook = new RunbookRunner({
    BACKUP_DIR: join(dir, 'backups'),
    OLD_DATA_DIR: oldDir,
    DATABASE_URL: undefined,
    CATALYST_DATA_DIR: newDir,
  });
  t.after(() => runbook.dispose());

  const node = await startNode(t, { dataDir: oldDir });
  const { token } = await createToken({ dataDir: oldDir }, ['publish', 'subscribe']);
  const subs = [
    new DrillSubscriber(t, node.wsUrl, token, { replayAll: true }),
    new DrillSubscriber(t, node.wsUrl, token, { ticker: 'AAA' }),
  ];
  await Promise.all(subs.map((s) => s.client.connect()));
  const history: Entry[] = [];
  for (let i = 0; i < 30; i++) history.push(await publishEntry(node, token, i));
  await node.stop();

  await runbook.run('restore.md', 'move');
  const moved = await startNode(t, { dataDir: newDir, port: node.port });
  assert.equal(moved.epoch, node.epoch, 'the moved store keeps its epoch');
  for (let i = 0; i < 6; i++) history.push(await publishEntry(moved, token, i));
  assert.deepEqual(
    history.map(([seq]) => seq),
    Array.from({ length: 36 }, (_, i) => i + 1),
  );
  for (const sub of subs) {
    const want = matching(sub, history);
    await waitFor(() => sub.view().before.length >= want.length, 'every signal at the subscriber', 20_000);
    const v = sub.view();
    assert.equal(v.reset, undefined, 'no reset: the history is the same');
    assert.deepEqual(v.before, want, 'its exact history, across the move');
  }
}

describe('drill: restore from backup', () => {
  e2e('SQLite: backup under load, store destroyed, runbook restore; exact history or explicit reset', (t) =>
    restoreDrill(t, 'sqlite'),
  );
  e2e(
    'PostgreSQL: backup under load, database dropped, runbook restore; exact history or explicit reset',
    (t) => restoreDrill(t, 'postgres'),
  );
  e2e('SQLite: a store moved with the runbook keeps its epoch; subscribers resume their exact history', (t) =>
    moveDrill(t),
  );
});
