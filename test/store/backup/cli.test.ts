// The commands as an operator meets them: a refusal is one line on stderr and exit 1, not a stack.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const catalyst = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, NODE_NO_WARNINGS: '1', DATABASE_URL: '' },
  });

describe('catalyst backup, restore, verify, restore-drill, epoch', () => {
  it('back up, refuse a non-empty target in one line, restore into an empty one, verify', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'catalyst-backup-cli-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const live = join(dir, 'live');
    const archive = join(dir, 'b1');
    assert.equal(
      catalyst('tokens', 'create', '--name', 'ops', '--scope', 'publish', '--data-dir', live).status,
      0,
    );
    const backup = catalyst('backup', '--out', archive, '--data-dir', live, '--json');
    assert.equal(backup.status, 0, backup.stderr);
    assert.equal((JSON.parse(backup.stdout) as { counts: { tokens: number } }).counts.tokens, 1);

    const refused = catalyst('restore', '--from', archive, '--data-dir', live);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /^catalyst restore: the store at .* is not empty \(0 signals, 1 tokens\)/);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);

    const target = join(dir, 'restored');
    assert.equal(catalyst('restore', '--from', archive, '--data-dir', target).status, 0);
    const verified = catalyst('verify', '--manifest', `${archive}.manifest.json`, '--data-dir', target);
    assert.equal(verified.status, 0, verified.stderr);
    const drill = catalyst('restore-drill', '--from', archive, '--data-dir', live);
    assert.equal(drill.status, 0, drill.stderr);
    assert.match(catalyst('epoch', 'renew', '--data-dir', target).stdout, /^[0-9a-f-]{36}\n$/);
    const missing = catalyst('restore', '--data-dir', target);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /restore needs --from FILE/);
  });
});
