// CLI commands build their store through the same guarded composition as `serve`: against an
// unreachable or wedged PostgreSQL they fail within the store's timeout with one clear line.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { freePort } from '../support/free-port.js';
import { requirePostgres } from '../support/servers.js';
import { proxiedDatabase, proxyTo, round } from './support.js';

async function tokensList(
  env: Record<string, string>,
): Promise<{ code: number; stderr: string; ms: number }> {
  const t0 = performance.now();
  try {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'tokens', 'list'], {
      env: { ...process.env, NODE_NO_WARNINGS: '1', CATALYST_DEP_STORE_TIMEOUT_MS: '500', ...env },
      timeout: 30_000,
    });
    return { code: 0, stderr: '', ms: performance.now() - t0 };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    return { code: e.code ?? -1, stderr: e.stderr ?? '', ms: performance.now() - t0 };
  }
}

describe('CLI commands and an unreachable store', () => {
  it('`catalyst tokens list` against a closed port fails fast with one line naming the store', async (t) => {
    const r = await tokensList({ DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/nowhere` });
    assert.equal(r.code, 1);
    // One line, with what the driver said (the address it could not reach).
    assert.match(
      r.stderr,
      /^catalyst tokens: Dependency store is unavailable \(failed\): .*ECONNREFUSED[^\n]*\n$/,
    );
    // "(failed)", not "(timed out ...)": it gave up at the refusal. The bound only catches a hang:
    // starting the command (tsx, the pg driver) alone can take seconds on a loaded machine.
    assert.ok(r.ms < 20_000, `failed in ${round(r.ms)} ms`);
    t.diagnostic(`closed port: the command exited after ${round(r.ms)} ms`);
  });

  it('`catalyst tokens list` against a wedged PostgreSQL fails at its timeout, no stack trace', async (t) => {
    if (!(await requirePostgres(t))) return;
    const proxy = await proxyTo(t, 'pg', '127.0.0.1:5432');
    const db = await proxiedDatabase(t, proxy);
    await proxy.addToxic({ name: 'wedge', type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } });
    const r = await tokensList({ DATABASE_URL: db.proxiedUrl });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^catalyst tokens: Dependency store is unavailable \(timed out after 500 ms\)\n$/);
    // Two attempts of 500 ms (the store's retry for an idempotent call); closing cuts the connect
    // still waiting (test/store/postgres.test.ts), so the command does not wait out pg's 5 s connect
    // timeout. On top of what starting the command costs, measured alike (a closed port fails at
    // once): a loaded machine slows both, so the bound is generous.
    const start = await tokensList({ DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/x` });
    const waited = r.ms - start.ms;
    assert.ok(waited < 6_000, `waited ${round(waited)} ms on the wedged store (${round(r.ms)} ms in all)`);
    t.diagnostic(`wedged store: the command exited after ${round(r.ms)} ms (start-up ${round(start.ms)} ms)`);
  });
});
