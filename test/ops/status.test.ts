// `catalyst status` against a real node and a loopback Alertmanager speaking its v2 API.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { alertsOfDependency } from '../../src/cli/status.js';
import { freePort } from '../support/free-port.js';
import { createToken, e2e, request, startNode } from '../support/node.js';
import { requirePostgres } from '../support/servers.js';
import { makeSignal } from '../support/signals.js';
import { waitFor } from '../support/wait.js';
import { nodeBehindProxy } from './support.js';

async function status(args: string[], env: Record<string, string> = {}) {
  try {
    const r = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'status', ...args],
      {
        env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
        timeout: 30_000,
      },
    );
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Alertmanager's GET /api/v2/alerts, with one Catalyst alert and one of another system. */
async function alertmanager(t: { after(fn: () => unknown): void }): Promise<string> {
  const alerts = [
    {
      labels: { alertname: 'CatalystBreakerOpen', severity: 'warning', dependency: 'llm' },
      annotations: {
        summary: 'A dependency circuit breaker has been open for 5 minutes.',
        runbook_url: 'https://runbooks.example/CatalystBreakerOpen.md',
      },
      startsAt: new Date().toISOString(),
      status: { state: 'active' },
    },
    { labels: { alertname: 'NodeDiskFull' }, annotations: {}, startsAt: new Date().toISOString() },
  ];
  const server = createServer((req, res) => {
    if (!req.url?.startsWith('/api/v2/alerts')) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(alerts));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('catalyst status', () => {
  e2e("prints readiness, every breaker, refusals and the firing Catalyst alerts' runbooks", async (t) => {
    const node = await startNode(t, { env: { CATALYST_RATE_REST_READS_PER_TOKEN: '1/60s' } });
    const { token } = await createToken(node, ['admin']);
    // One refusal to report: the second read within the minute.
    await request(node.url, 'GET', '/signals', { token });
    assert.equal((await request(node.url, 'GET', '/signals', { token })).status, 429);
    const am = await alertmanager(t);
    const r = await status(['--server', node.url, '--token', token, '--alertmanager', am]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^node ${node.url}: ok`));
    assert.match(r.stdout, /^ {2}store +closed +latency/m);
    assert.match(r.stdout, /catalyst_rate_limited_total\{limiter=rest_reads_per_token\} 1/);
    assert.match(
      r.stdout,
      /CatalystBreakerOpen \[warning\][\s\S]*runbook: https:\/\/runbooks\.example\/CatalystBreakerOpen\.md/,
    );
    assert.doesNotMatch(r.stdout, /NodeDiskFull/, 'only Catalyst alerts');
    assert.match(r.stdout, /failing on this node \(runbooks\):\n {2}nothing\n/);
  });

  e2e('links the runbooks of what the node itself sees failing: the store breaker open', async (t) => {
    if (!(await requirePostgres(t))) return;
    const { proxy, token, node } = await nodeBehindProxy(t, ['publish', 'admin'], {
      CATALYST_DEP_STORE_TIMEOUT_MS: '300',
      CATALYST_DEP_STORE_BREAKER_VOLUME: '3',
      CATALYST_DEP_STORE_BREAKER_RESET_MS: '60000',
      CATALYST_DEP_STORE_RETRY_ATTEMPTS: '1',
    });
    // The token is verified while the store is up, so the admin API still opens while it is down.
    assert.equal((await request(node.url, 'GET', '/admin/dependencies', { token })).status, 200);
    await proxy.setEnabled(false);
    await waitFor(
      async () => {
        await request(node.url, 'POST', '/signals', { token, body: makeSignal() });
        const deps = await request(node.url, 'GET', '/admin/dependencies', { token });
        return deps.body?.dependencies?.store?.state === 'open';
      },
      'the store breaker to open',
      30_000,
      200,
    );
    const r = await status(['--server', node.url, '--token', token], {
      CATALYST_RUNBOOK_BASE_URL: 'https://wiki.example/runbooks/',
    });
    assert.equal(r.code, 1, `not ready: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /^ {2}store +open .*last error: /m);
    assert.match(
      r.stdout,
      /failing on this node \(runbooks\):\n {2}store open\n {4}https:\/\/wiki\.example\/runbooks\/CatalystStoreUnavailable\.md\n {4}https:\/\/wiki\.example\/runbooks\/CatalystBreakerOpen\.md\n/,
    );
  });

  it('every alert it links for a dependency has a runbook', () => {
    const dir = join(import.meta.dirname, '../../runbooks');
    const missing = ['store', 'bus', 'redis', 'llm', 'market_data', 'feed:sec.gov']
      .flatMap(alertsOfDependency)
      .filter((a) => !existsSync(join(dir, `${a}.md`)));
    assert.deepEqual(missing, []);
  });

  e2e('names the cause in one line when the node cannot be reached or the token is not admin', async (t) => {
    const down = await status(['--server', `http://127.0.0.1:${await freePort()}`, '--token', 'x']);
    assert.equal(down.code, 2);
    assert.match(
      down.stderr,
      /^catalyst status: cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): is the node running/,
    );
    assert.equal(down.stderr.trim().split('\n').length, 1);
    const node = await startNode(t);
    const { token } = await createToken(node, ['subscribe']);
    const weak = await status(['--server', node.url, '--token', token]);
    assert.equal(weak.code, 2);
    assert.match(weak.stderr, /needs an admin token/);
  });
});
