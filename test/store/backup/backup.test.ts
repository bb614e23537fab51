import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, type TestContext } from 'node:test';
import { createToken } from '../../../src/auth/tokens.js';
import { renewEpoch } from '../../../src/store/backup/epoch.js';
import { BackupError } from '../../../src/store/backup/errors.js';
import { readBackupStatus } from '../../../src/store/backup/status.js';
import { backupStore, restoreStore, verifyStore } from '../../../src/store/backup/store-backup.js';
import { fixtureTest } from '../../support/fixture-test.js';
import { makeSignal } from '../../support/signals.js';
import { type BackupFixture, postgresFixture, sqliteFixture } from './fixture.js';

function backupSuite(name: string, factory: (t: TestContext) => Promise<BackupFixture | undefined>) {
  describe(`backup and restore: ${name}`, () => {
    const withStores = fixtureTest(factory);

    const seed = async (f: BackupFixture, signals = 25) => {
      await f.store.append(Array.from({ length: signals }, () => makeSignal()));
      await createToken(f.store, 'ops', ['publish', 'subscribe']);
      const revoked = await createToken(f.store, 'old', ['admin']);
      await f.store.revokeToken(revoked.record.name);
    };

    withStores(
      'a restore holds exactly the backup, under a new epoch, and seqs continue after it',
      async (f) => {
        await seed(f);
        const archive = join(f.dir, 'b1');
        const { manifest, problems } = await backupStore(f.source, archive, f.statusFile);
        assert.deepEqual(problems, []);
        assert.equal(manifest.kind, f.kind);
        assert.equal(manifest.last_seq, 25);
        assert.deepEqual(manifest.counts, { signals: 25, tokens: 2 });
        assert.equal(manifest.epoch, await f.store.epoch());
        // Written after the backup: not in it.
        await f.store.append([makeSignal()]);

        const target = await f.emptyTarget();
        const restored = await restoreStore(target, archive);
        assert.deepEqual(restored.problems, []);
        assert.deepEqual(restored.inspection.facts.fingerprints, manifest.fingerprints);
        assert.notEqual(restored.inspection.facts.epoch, manifest.epoch);

        const store = await f.open(target);
        assert.equal(await store.epoch(), restored.inspection.facts.epoch);
        assert.deepEqual(
          (await store.read({ afterSeq: 0, limit: 100 })).map((s) => s.id),
          (await f.store.read({ afterSeq: 0, uptoSeq: 25, limit: 100 })).map((s) => s.id),
        );
        const [next] = await store.append([makeSignal()]);
        assert.equal(next?.status === 'created' && next.signal.seq, 26);
        assert.deepEqual((await store.listTokens()).map((t) => [t.name, t.revoked_at !== null]).sort(), [
          ['old', true],
          ['ops', false],
        ]);
        const verified = await verifyStore(target);
        assert.deepEqual(verified.problems, []);
      },
    );

    withStores('--keep-epoch keeps the backup epoch (for a backup holding the whole history)', async (f) => {
      await seed(f, 3);
      const archive = join(f.dir, 'b1');
      const { manifest } = await backupStore(f.source, archive, f.statusFile);
      const target = await f.emptyTarget();
      const restored = await restoreStore(target, archive, { keepEpoch: true });
      assert.equal(restored.inspection.facts.epoch, manifest.epoch);
    });

    withStores('a migrated but empty store is a valid target', async (f) => {
      await seed(f, 3);
      const archive = join(f.dir, 'b1');
      await backupStore(f.source, archive, f.statusFile);
      const target = await f.emptyTarget();
      await (await f.open(target)).migrate();
      assert.deepEqual((await restoreStore(target, archive)).problems, []);
    });

    withStores('a store that is not empty is refused, untouched', async (f) => {
      await seed(f, 3);
      const archive = join(f.dir, 'b1');
      await backupStore(f.source, archive, f.statusFile);
      const target = await f.emptyTarget();
      const other = await f.open(target);
      await other.append([makeSignal()]);
      const epoch = await other.epoch();
      await assert.rejects(restoreStore(target, archive), (err: Error) => {
        assert.ok(err instanceof BackupError);
        assert.match(err.message, /not empty \(1 signals, 0 tokens\): restore only into an empty store/);
        assert.doesNotMatch(err.message, /\n/);
        return true;
      });
      assert.equal(await other.lastSeq(), 1);
      assert.equal(await other.epoch(), epoch);
    });

    withStores('a damaged archive is refused before anything is restored', async (f) => {
      await seed(f, 3);
      const archive = join(f.dir, 'b1');
      await backupStore(f.source, archive, f.statusFile);
      const bytes = readFileSync(archive);
      bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
      writeFileSync(archive, bytes);
      await assert.rejects(restoreStore(await f.emptyTarget(), archive), /does not match its manifest/);
    });

    withStores('an existing backup file is never overwritten', async (f) => {
      const archive = join(f.dir, 'b1');
      await backupStore(f.source, archive, f.statusFile);
      await assert.rejects(backupStore(f.source, archive, f.statusFile), /already exists/);
    });

    withStores('verify finds a seq gap, a counter behind, a changed body and a bad token', async (f) => {
      await seed(f, 10);
      assert.deepEqual((await verifyStore(f.source)).problems, []);
      await f.sql(f.source, 'DELETE FROM signals WHERE seq = 4');
      await f.sql(f.source, "UPDATE sequence SET value = 9 WHERE name = 'signals'");
      await f.sql(
        f.source,
        `UPDATE signals SET body = replace(body, '"title":"', '"title":"X') WHERE seq = 7`,
      );
      await f.sql(f.source, "UPDATE tokens SET scopes = 'root' WHERE name = 'ops'");
      const { problems } = await verifyStore(f.source);
      assert.deepEqual(problems, [
        'seq gap: expected seq 4, found 5',
        'signal seq 7: its body does not match its content hash',
        'the sequence counter is 9 but the highest stored seq is 10',
        'token "ops": unknown scopes "root"',
      ]);
    });

    withStores('verify against a manifest names what differs from the backup', async (f) => {
      await seed(f, 5);
      const archive = join(f.dir, 'b1');
      await backupStore(f.source, archive, f.statusFile);
      assert.deepEqual((await verifyStore(f.source, `${archive}.manifest.json`)).problems, []);
      await f.store.append([makeSignal()]);
      const { problems } = await verifyStore(f.source, archive);
      assert.deepEqual(
        problems.map((p) => p.split(':')[0]),
        ['last seq', 'signal count', 'signal fingerprint'],
      );
    });

    withStores('epoch renew gives the store a new epoch and leaves its history alone', async (f) => {
      await seed(f, 3);
      const before = await f.store.epoch();
      const renewed = await renewEpoch(f.source);
      assert.notEqual(renewed, before);
      const reopened = await f.open(f.source);
      assert.equal(await reopened.epoch(), renewed);
      assert.equal(await reopened.lastSeq(), 3);
      assert.deepEqual((await verifyStore(f.source)).problems, []);
    });

    withStores('a good backup is recorded in the status file', async (f) => {
      assert.deepEqual(readBackupStatus(f.statusFile), {});
      const before = Date.now() / 1000;
      const archive = join(f.dir, 'b1');
      await backupStore(f.source, archive, f.statusFile);
      const status = readBackupStatus(f.statusFile);
      assert.ok(status.backup_last_success! >= before);
      assert.equal(status.backup_last_file, archive);
    });
  });
}

backupSuite('sqlite', sqliteFixture);
backupSuite('postgres', postgresFixture);
