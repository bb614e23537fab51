// Runs the Python client's own tests (clients/python/tests, unittest) so `npm test` covers them.
// They start real nodes with this Node binary. Without a Python that has the `websockets` library
// (Debian: python3-websockets) they are skipped with a line saying so; under CI=true that fails.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const DIR = join(import.meta.dirname, '../../clients/python');

/** The first interpreter that can import websockets: Debian's first (python3-websockets installs there). */
function findPython(): string | undefined {
  for (const bin of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(bin, ['-c', 'import websockets'], { stdio: 'ignore' });
    if (r.status === 0) return bin;
  }
  return undefined;
}

describe('Python client', () => {
  it('passes its unittest suite against real nodes', { timeout: 300_000 }, async (t) => {
    const python = findPython();
    if (!python) {
      const line = 'no python3 with the websockets library (apt-get install python3-websockets)';
      if (process.env.CI === 'true') throw new Error(`CI=true and ${line}`);
      t.skip(`skipped: ${line}`);
      return;
    }
    const child = spawn(python, ['-m', 'unittest', '-v'], {
      cwd: join(DIR, 'tests'),
      env: { ...process.env, CATALYST_NODE_BIN: process.execPath, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.after(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const summary = /Ran \d+ tests? in [\d.]+s/.exec(output)?.[0] ?? 'no summary';
    t.diagnostic(summary);
    assert.equal(code, 0, `python unittest failed:\n${output.slice(-8000)}`);
  });
});
