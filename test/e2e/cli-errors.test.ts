// A user's mistakes with the CLI: one line naming the cause and what to do, no stack, exit 2 for a
// usage mistake and 1 for a failure, and nothing left behind by a node that never started.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort } from '../support/free-port.js';
import { POSTGRES_URL, requirePostgres } from '../support/servers.js';

function catalyst(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', ...args],
      { env: { ...process.env, NODE_NO_WARNINGS: '1', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function assertOneLine(stderr: string, pattern: RegExp) {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(stderr, /\n\s+at |Error:/, 'no stack');
}

describe('CLI: user mistakes are one line', () => {
  it('serve on a port in use: exit 1, names the port, leaves no store file behind', async (t) => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    t.after(() => taken.close());
    const port = (taken.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'catalyst-cli-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const r = await catalyst(['serve', '--port', String(port), '--data-dir', join(dir, 'data')]);
    assert.equal(r.code, 1);
    assertOneLine(r.stderr, new RegExp(`127\\.0\\.0\\.1:${port} is already in use: .*--port`));
    assert.ok(!existsSync(join(dir, 'data', 'catalyst.db')), 'no catalyst.db left behind');
  });

  it('serve with a data directory that cannot be created: exit 1 at once, names it', async () => {
    // /proc/x: Node's recursive mkdir used to loop there forever.
    const r = await catalyst(['serve', '--port', '0', '--data-dir', '/proc/x']);
    assert.equal(r.code, 1);
    assertOneLine(r.stderr, /cannot create the data directory \/proc\/x .*--data-dir/);
  });

  it('serve with a PostgreSQL database that does not exist: says so and what to do', async (t) => {
    if (!(await requirePostgres(t))) return;
    const url = new URL(POSTGRES_URL);
    url.pathname = `/catalyst_missing_${process.pid}`;
    const r = await catalyst(['serve', '--port', '0'], { DATABASE_URL: url.toString() });
    assert.equal(r.code, 1);
    assertOneLine(r.stderr, /database "catalyst_missing_\d+" does not exist; create it .*DATABASE_URL/);
  });

  it('publish --file that does not exist: exit 2, names the file', async () => {
    const r = await catalyst(['publish', '--file', '/nonexistent/batch.json', '--token', 'x']);
    assert.equal(r.code, 2);
    assertOneLine(r.stderr, /cannot read --file \/nonexistent\/batch\.json: no such file/);
  });

  it('publish to a port where nothing listens: exit 1, says what to check', async () => {
    const port = await freePort();
    const r = await catalyst([
      'publish',
      '--server',
      `http://127.0.0.1:${port}`,
      '--token',
      'x',
      '--ticker',
      'A',
      '--title',
      't',
      '--wait',
      '0',
    ]);
    assert.equal(r.code, 1);
    assertOneLine(r.stderr, /cannot reach the server at .*ECONNREFUSED.*catalyst serve/);
  });

  it("fault-proxy --help states its own defaults (port 8474), not serve's; a bad --port is exit 2", async () => {
    const help = await catalyst(['fault-proxy', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /default 8474/);
    assert.doesNotMatch(help.stdout, /default 8000|--data-dir/);
    const bad = await catalyst(['fault-proxy', '--port', 'abc']);
    assert.equal(bad.code, 2);
    assertOneLine(bad.stderr, /--port must be a non-negative integer, got abc/);
  });

  it('publish and subscribe take only their own flags; an unreadable --ca is exit 2', async () => {
    for (const cmd of ['publish', 'subscribe']) {
      const r = await catalyst([cmd, '--data-dir', '/tmp', '--token', 'x']);
      assert.equal(r.code, 2, cmd);
      assert.match(r.stderr, /Unknown option '--data-dir'/);
      const ca = await catalyst([cmd, '--ca', '/nonexistent/ca.pem', '--token', 'x']);
      assert.equal(ca.code, 2, `${cmd}: ${ca.stderr}`);
      assertOneLine(ca.stderr, /cannot read --ca \/nonexistent\/ca\.pem: no such file/);
    }
  });

  it('publish and subscribe --help list the settings that find the server, not those of serve', async () => {
    for (const cmd of ['publish', 'subscribe']) {
      const r = await catalyst([cmd, '--help']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /--port N/);
      assert.doesNotMatch(r.stdout, /--data-dir|--database-url|--redis-url|--role|--metrics-port/, cmd);
    }
  });
});
