// `catalyst publish --file batch.json`: the exit code says whether everything was stored, and
// every refused item is named on stderr.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import { e2e, startNodeWithToken } from '../support/node.js';
import { makeSignal } from '../support/signals.js';

function publishFile(url: string, token: string, file: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'publish', '--file', file, '--server', url, '--token', token],
      { env: { ...process.env, NODE_NO_WARNINGS: '1' }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('e2e: catalyst publish --file with a batch', () => {
  e2e('exits 1 and names each refused item; exits 0 when all were stored', async (t) => {
    const { node, token } = await startNodeWithToken(t);
    const dir = mkdtempSync(join(tmpdir(), 'catalyst-publish-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const mixed = join(dir, 'mixed.json');
    const bad = { ...makeSignal(), id: 'bad-one', ticker: undefined };
    writeFileSync(mixed, JSON.stringify([makeSignal(), bad, makeSignal()]));
    const r = await publishFile(node.url, token, mixed);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /item 1 \(id bad-one\) not stored: HTTP 400 invalid_request: .*ticker/);
    assert.match(r.stderr, /1 of 3 items not stored/);
    assert.equal(JSON.parse(r.stdout).results.length, 3);

    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify([makeSignal(), makeSignal()]));
    const ok = await publishFile(node.url, token, good);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stderr, '');
  });
});
