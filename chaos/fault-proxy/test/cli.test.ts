// The command line: flags (including Toxiproxy's one-dash spelling), the config file applied before the
// API answers, and a graceful stop on SIGTERM.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { withDeadline } from '../../../test/support/wait.js';
import { tryConnect } from './support/harness.js';

const BIN = fileURLToPath(new URL('../bin.ts', import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const line = (pattern: RegExp) =>
    withDeadline(
      new Promise<RegExpExecArray>((resolve) => {
        const check = () => {
          const m = pattern.exec(out);
          if (m) {
            child.stdout.off('data', check);
            resolve(m);
          }
        };
        child.stdout.on('data', check);
        check();
      }),
      `output matching ${pattern}`,
      15_000,
    );
  return { child, exited, line, output: () => out };
}

const stopOnExit = (t: { after(fn: () => void): void }, child: ChildProcess) =>
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

test(
  'the CLI loads its config before serving, honours -port=0 and stops gracefully on SIGTERM',
  { timeout: 60_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'fault-proxy-cli-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const config = join(dir, 'proxies.json');
    writeFileSync(
      config,
      JSON.stringify([{ name: 'from-config', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' }]),
    );
    const p = run(['--host', 'localhost', '-port=0', '-proxy-metrics', '--config', config, '--seed', '7']);
    stopOnExit(t, p.child);
    const [, url] = await p.line(/"listening":"(http:\/\/127\.0\.0\.1:\d+)"/);
    const proxies = (await (await fetch(`${url}/proxies`)).json()) as Record<string, { listen: string }>;
    assert.deepEqual(Object.keys(proxies), ['from-config']);
    const port = Number(proxies['from-config']?.listen.split(':')[1]);
    assert.equal(await tryConnect(port), 'connected');
    assert.match(p.output(), /"seed":7/);

    p.child.kill('SIGTERM');
    assert.equal(await withDeadline(p.exited, 'the CLI to exit', 10_000), 0);
    assert.match(p.output(), /Shutdown complete/);
    assert.equal(await tryConnect(port), 'ECONNREFUSED');
  },
);

test('a broken config file is logged and the server still starts', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fault-proxy-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'broken.json');
  writeFileSync(config, '[{"name":"x"}]');
  const p = run(['--port', '0', '--config', config]);
  stopOnExit(t, p.child);
  const [, url] = await p.line(/"listening":"(http:\/\/[^"]+)"/);
  assert.match(p.output(), /missing required field: upstream at proxy 1/);
  assert.equal(await (await fetch(`${url}/proxies`)).text(), '{}');
  p.child.kill('SIGINT');
  assert.equal(await withDeadline(p.exited, 'the CLI to exit', 10_000), 0);
});

test('--help prints usage; an unknown flag fails', { timeout: 60_000 }, async () => {
  const help = run(['--help']);
  assert.equal(await withDeadline(help.exited, 'help to exit', 15_000), 0);
  assert.match(help.output(), /Usage: catalyst fault-proxy/);
  const bad = run(['--bogus']);
  assert.equal(await withDeadline(bad.exited, 'a bad flag to exit', 15_000), 1);
  assert.match(bad.output(), /bogus/);
});
