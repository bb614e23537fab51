// TLS served directly by a node: a private CA and a server certificate for 127.0.0.1 are made with
// openssl at test time. The node (CATALYST_TLS_CERT/KEY, or --tls-cert/--tls-key) answers HTTPS and
// WSS only; a publisher trusting the CA posts over HTTPS, CatalystClient({ ca }) and
// `catalyst subscribe --ca FILE` receive the signal over WSS; a client without the CA is refused.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { CatalystClient } from '../../src/client/index.js';
import type { Signal } from '../../src/domain/signal.js';
import { createToken, e2e, startNode } from '../support/node.js';
import { requireBinary } from '../support/servers.js';
import { makeSignal } from '../support/signals.js';
import { runSubscribeCli } from '../support/subscribe-cli.js';
import { waitFor, withDeadline } from '../support/wait.js';

const run = promisify(execFile);

interface Pki {
  dir: string;
  ca: string;
  cert: string;
  key: string;
}

/** A throwaway CA and a server certificate it signed, valid for 127.0.0.1 and localhost. */
async function makePki(): Promise<Pki> {
  const dir = mkdtempSync(join(tmpdir(), 'catalyst-tls-'));
  const p = (f: string) => join(dir, f);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=Catalyst test CA',
  ]);
  await run('openssl', [
    'req',
    ...ec,
    '-keyout',
    p('server.key'),
    '-out',
    p('server.csr'),
    '-subj',
    '/CN=127.0.0.1',
  ]);
  writeFileSync(p('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n');
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    p('server.csr'),
    '-CA',
    p('ca.pem'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-out',
    p('server.pem'),
    '-days',
    '2',
    '-extfile',
    p('ext.cnf'),
  ]);
  return { dir, ca: p('ca.pem'), cert: p('server.pem'), key: p('server.key') };
}

/** POST over HTTPS with node:https (fetch cannot take a CA without undici's Agent). */
function httpsPost(
  url: string,
  token: string,
  body: unknown,
  ca?: Buffer,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = https.request(
      url,
      {
        method: 'POST',
        ...(ca ? { ca } : {}),
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(data),
        },
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }),
        );
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(data);
  });
}

describe('TLS: HTTPS and WSS served by the node', () => {
  e2e('HTTPS publish and WSS subscribe with the CA; without it the connection is refused', async (t) => {
    if (!(await requireBinary(t, 'openssl'))) return;
    const pki = await makePki();
    t.after(() => rmSync(pki.dir, { recursive: true, force: true }));
    const ca = readFileSync(pki.ca);
    const node = await startNode(t, { env: { CATALYST_TLS_CERT: pki.cert, CATALYST_TLS_KEY: pki.key } });
    assert.match(node.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const { token } = await createToken(node, ['publish', 'subscribe']);
    const wss = node.url.replace(/^https/, 'wss');

    const client = new CatalystClient({
      url: `${wss}/ws`,
      token,
      ca,
      reconnect: { minDelayMs: 10, maxDelayMs: 100 },
    });
    const received: Signal[] = [];
    client.on('signal', (s) => received.push(s));
    t.after(() => client.close());
    await client.connect();

    const s = makeSignal({ ticker: 'TLS' });
    const ack = await httpsPost(`${node.url}/signals`, token, s, ca);
    assert.equal(ack.status, 201);
    await waitFor(() => received.length >= 1, 'the signal over WSS', 10_000);
    assert.deepEqual(
      received.map((x) => [x.id, x.seq]),
      [[s.id, ack.body.seq]],
    );

    // Without the CA: HTTPS and WSS both fail the certificate check; plain HTTP is not served.
    await assert.rejects(
      httpsPost(`${node.url}/signals`, token, makeSignal()),
      (err: NodeJS.ErrnoException) => {
        assert.match(String(err.code), /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
        return true;
      },
    );
    const refused = await withDeadline(
      new Promise<Error>((resolve) => {
        const ws = new WebSocket(`${wss}/ws`);
        ws.once('open', () => resolve(new Error('opened without the CA')));
        ws.once('error', (err) => resolve(err));
      }),
      'the WSS refusal',
      10_000,
    );
    assert.match(
      String((refused as NodeJS.ErrnoException).code),
      /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/,
      refused.message,
    );
    await assert.rejects(
      fetch(`${node.url.replace(/^https/, 'http')}/health/live`, { signal: AbortSignal.timeout(5000) }),
    );
    const count = await httpsPost(`${node.url}/signals`, token, makeSignal({ ticker: 'TLS' }), ca);
    assert.equal(count.status, 201, 'the node still serves clients that trust the CA');
  });

  e2e('--tls-cert/--tls-key flags, and `catalyst subscribe --ca FILE` over WSS', async (t) => {
    if (!(await requireBinary(t, 'openssl'))) return;
    const pki = await makePki();
    t.after(() => rmSync(pki.dir, { recursive: true, force: true }));
    const node = await startNode(t, { args: ['--tls-cert', pki.cert, '--tls-key', pki.key] });
    assert.match(node.url, /^https:/);
    const { token } = await createToken(node, ['publish', 'subscribe']);
    const first = await httpsPost(`${node.url}/signals`, token, makeSignal(), readFileSync(pki.ca));
    assert.equal(first.status, 201);

    const cli = runSubscribeCli(t, [
      '--since-seq',
      '0',
      '--ca',
      pki.ca,
      '--server',
      node.url,
      '--token',
      token,
    ]);
    await waitFor(() => cli.seqs().length >= 1, 'the replayed signal on stdout', 20_000);
    const live = await httpsPost(`${node.url}/signals`, token, makeSignal(), readFileSync(pki.ca));
    await waitFor(() => cli.seqs().length >= 2, 'the live signal on stdout', 10_000);
    assert.equal(await cli.stop(), 0, cli.stderr());
    assert.deepEqual(cli.seqs(), [first.body.seq, live.body.seq]);
  });

  e2e(
    '`catalyst publish --ca FILE` over HTTPS; without the CA, or over http://, one line saying what to do',
    async (t) => {
      if (!(await requireBinary(t, 'openssl'))) return;
      const pki = await makePki();
      t.after(() => rmSync(pki.dir, { recursive: true, force: true }));
      const node = await startNode(t, { args: ['--tls-cert', pki.cert, '--tls-key', pki.key] });
      const { token } = await createToken(node, ['publish']);
      const publish = (server: string, ...more: string[]) =>
        run(process.execPath, [
          '--import',
          'tsx',
          'src/cli.ts',
          'publish',
          ...['--server', server, '--token', token, '--ticker', 'TLS', '--title', 't', '--wait', '0'],
          ...['--catalyst', 'fda', '--sentiment', '0.1', '--confidence', '0.5', ...more],
        ]).then(
          (r) => ({ code: 0, ...r }),
          (err: { code: number; stdout: string; stderr: string }) => err,
        );
      const stored = await publish(node.url, '--ca', pki.ca);
      assert.equal(stored.code, 0, stored.stderr);
      assert.equal(typeof JSON.parse(stored.stdout).seq, 'number');
      const untrusted = await publish(node.url);
      assert.equal(untrusted.code, 1);
      assert.match(untrusted.stderr, /^catalyst publish: .*certificate is not trusted.*--ca FILE\n$/);
      const plain = await publish(node.url.replace(/^https/, 'http'), '--ca', pki.ca);
      assert.equal(plain.code, 1);
      assert.match(plain.stderr, /^catalyst publish: .*if it serves TLS, use an https:\/\/ URL\n$/);
    },
  );
});
