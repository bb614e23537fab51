// README "First signal in a minute", typed as written (the build line aside: the test runs the
// sources): the background `serve` and `subscribe` race the `publish`, and the subscriber still
// prints the signal.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import { freePort } from '../support/free-port.js';
import { e2e } from '../support/node.js';
import { waitFor } from '../support/wait.js';

/** The shell lines of the README's first-signal block, run on the sources instead of the build. */
function firstSignalSteps(): string {
  const readme = readFileSync('README.md', 'utf8');
  const block = /## First signal in a minute\s+```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'the README has the block');
  return block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('npm '))
    .map((l) => l.replace(/#.*$/, '').replaceAll('node bin/catalyst.js', 'node --import tsx src/cli.ts'))
    .join('\n');
}

describe('e2e: the README first minute', () => {
  e2e('the first-signal steps work as written: the subscriber prints the signal', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'catalyst-readme-'));
    const port = await freePort();
    // One process group: the README's background jobs end with it.
    const shell = spawn('bash', ['-e', '-c', firstSignalSteps()], {
      detached: true,
      // Warnings are left on: a newcomer sees them too.
      env: { ...process.env, PORT: String(port), CATALYST_DATA_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.after(() => {
      try {
        process.kill(-shell.pid!, 'SIGKILL');
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    });
    let out = '';
    let err = '';
    shell.stdout.on('data', (d) => (out += d));
    shell.stderr.on('data', (d) => (err += d));
    const line = await waitFor(
      () => out.split('\n').find((l) => l.includes('"ticker":"NBTX"')),
      `the subscriber's line (stdout so far: ${out.slice(0, 500)}; stderr: ${err.slice(0, 500)})`,
      60_000,
      50,
    ).catch((e: Error) => assert.fail(`${e.message}\nstdout: ${out}\nstderr: ${err}`));
    assert.equal(JSON.parse(line).title, 'FDA Fast Track for NBTX');
    assert.doesNotMatch(err, /TypeError|fetch failed|\n\s+at /, 'no stack traces');
    assert.doesNotMatch(err, /FSTDEP|DeprecationWarning/, 'no deprecation warnings at start');
    const listening = out.split('\n').find((l) => l.includes('catalyst listening')) ?? '';
    assert.equal(listening.match(/"role":/g)?.length, 1, listening);
  });
});
