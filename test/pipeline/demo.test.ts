// A newcomer's `catalyst demo`: signals from the bundled sample news appear within a minute, with
// no internet, and Ctrl-C ends everything it started (its temporary store included).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
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
});
