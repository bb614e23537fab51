// A newcomer's `catalyst demo`: signals from the bundled sample news appear within a minute, with
// no internet, and Ctrl-C ends everything it started (its temporary store included).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { waitFor } from '../support/wait.js';

describe('catalyst demo', () => {
  it('prints signals from the sample feeds within a minute and cleans up on Ctrl-C', async (t) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'demo', '--port', '0', '--every', '2'],
      {
        env: { ...process.env, NODE_NO_WARNINGS: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    t.after(() => child.exitCode === null && child.kill('SIGKILL'));
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const signals = () =>
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { seq: number; ticker: string; metadata: { classifier: string } });
    await waitFor(() => signals().length >= 3, 'three signals from the demo', 60_000, 100);
    assert.match(err, /token: +cat_/, 'it prints a token for catalyst subscribe and the console');
    const dir = /store: +(\S+) \(removed on exit\)/.exec(err)?.[1];
    assert.ok(dir && existsSync(dir), 'a temporary store');
    const seqs = signals().map((s) => s.seq);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => i + 1),
      'every signal once, in order',
    );
    assert.ok(
      signals().every((s) => s.metadata.classifier === 'llm'),
      'judged by the sample LLM',
    );
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0, err);
    assert.equal(existsSync(dir), false, 'the temporary store is removed');
  });

  it('a port in use is one line, and nothing it started is left behind', async (t) => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    t.after(() => taken.close());
    const port = (taken.address() as AddressInfo).port;
    // Its own temporary directory: the demo's store must not outlive the failed start.
    const tmp = mkdtempSync(join(tmpdir(), 'catalyst-demo-test-'));
    t.after(() => rmSync(tmp, { recursive: true, force: true }));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'demo', '--port', String(port)], {
      env: { ...process.env, NODE_NO_WARNINGS: '1', TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.after(() => child.exitCode === null && child.kill('SIGKILL'));
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const [code] = await once(child, 'exit');
    assert.equal(code, 1);
    assert.equal(
      err,
      `catalyst demo: 127.0.0.1:${port} is already in use: stop the other process, or pick another --port (PORT)\n`,
    );
    assert.deepEqual(
      readdirSync(tmp).filter((f) => f.startsWith('catalyst-demo-')),
      [],
      'no temporary store left',
    );
  });
});
