// An attacker's cheapest moves, refused before they cost anything: bad tokens and never-authenticated
// sockets are limited per client address before any token lookup, and the client address is the
// one a trusted proxy forwards (never one a client claims).
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { CatalystNodeProcess, createToken, e2e, request } from '../support/node.js';
import { WsClient } from '../support/ws-client.js';

const FAILURES = 20;

/** Token lookups that reached this node's store so far (catalyst_token_lookups_total). */
async function lookups(node: CatalystNodeProcess): Promise<number> {
  const { body } = await request<string>(node.url, 'GET', '/metrics');
  return Number(/^catalyst_token_lookups_total (\d+)/m.exec(body)?.[1] ?? NaN);
}

/** Opens a socket with `token` in the header; how it ended: a close code, or the HTTP refusal. */
async function connectOnce(node: CatalystNodeProcess, token: string): Promise<string> {
  try {
    const c = await WsClient.open(node.wsUrl, { token });
    const closed = await c.closed;
    return String(closed.code);
  } catch (err) {
    return /HTTP (\d+)/.exec((err as Error).message)?.[1] ?? (err as Error).message;
  }
}

/** Runs `n` calls of `fn`, `width` at a time; counts the outcomes. */
async function flood(n: number, width: number, fn: (i: number) => Promise<string>) {
  const outcomes = new Map<string, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) {
        const out = await fn(next++);
        outcomes.set(out, (outcomes.get(out) ?? 0) + 1);
      }
    }),
  );
  return outcomes;
}

describe('e2e: limits before auth, per client address', () => {
  e2e('2,000 bad WebSocket connects from one address: a bounded number of token lookups', async (t) => {
    const node = await CatalystNodeProcess.startOne(t, {
      env: { CATALYST_RATE_AUTH_FAILURES_PER_ADDRESS: `${FAILURES}/1m` },
    });
    const before = await lookups(node);
    const width = 20;
    const outcomes = await flood(2000, width, (i) => connectOnce(node, `cat_bad_${i}_${'x'.repeat(20)}`));
    const spent = (await lookups(node)) - before;
    t.diagnostic(`outcomes ${JSON.stringify(Object.fromEntries(outcomes))}; token lookups ${spent}`);
    // Failures in flight when the budget ran out still finish their lookup: at most one per socket.
    assert.ok(spent <= FAILURES + width, `${spent} lookups`);
    assert.equal((outcomes.get('4401') ?? 0) + (outcomes.get('429') ?? 0), 2000);
    assert.ok((outcomes.get('429') ?? 0) >= 2000 - FAILURES - width);
    // REST with a token from the same address is refused too, before its lookup.
    const rest = await request(node.url, 'GET', '/signals', { token: 'cat_another_bad_token' });
    assert.equal(rest.status, 429);
    assert.equal(rest.body.error.code, 'rate_limited');
    assert.ok(Number(rest.headers.get('retry-after')) >= 1);
  });

  e2e('REST 401s count as failed authentications of that address', async (t) => {
    const node = await CatalystNodeProcess.startOne(t, {
      env: { CATALYST_RATE_AUTH_FAILURES_PER_ADDRESS: '3/1m' },
    });
    for (let i = 0; i < 3; i++) {
      assert.equal((await request(node.url, 'GET', '/signals', { token: `cat_bad_${i}` })).status, 401);
    }
    assert.equal((await request(node.url, 'GET', '/signals', { token: 'cat_bad_4' })).status, 429);
    assert.equal(await connectOnce(node, 'cat_bad_5'), '429');
    // Requests without credentials look nothing up and are not refused: health stays reachable.
    assert.equal((await request(node.url, 'GET', '/health/live')).status, 200);
  });

  e2e('sockets that never authenticate: past the cap per address, upgrades are refused', async (t) => {
    const cap = 5;
    const node = await CatalystNodeProcess.startOne(t, {
      env: { CATALYST_MAX_UNAUTHENTICATED_PER_ADDRESS: String(cap), CATALYST_AUTH_TIMEOUT_MS: '60000' },
    });
    const { token } = await createToken(node, ['subscribe']);
    const idle = await Promise.all(Array.from({ length: cap }, () => WsClient.open(node.wsUrl)));
    try {
      await assert.rejects(WsClient.open(node.wsUrl), /HTTP 429/);
      // One of them authenticates: its place is free again.
      idle[0]!.send({ type: 'auth', token });
      await idle[0]!.next((m) => m.type === 'welcome', 10_000, 'welcome');
      const another = await WsClient.open(node.wsUrl);
      another.close();
    } finally {
      for (const c of idle) c.close();
    }
  });

  e2e('WebSocket upgrades are limited per address before auth', async (t) => {
    const node = await CatalystNodeProcess.startOne(t, { env: { CATALYST_RATE_WS_CONNECTS_PER_IP: '3/1m' } });
    const before = await lookups(node);
    const outcomes = await flood(10, 1, () => connectOnce(node, 'cat_bad_token'));
    assert.deepEqual(Object.fromEntries(outcomes), { '4401': 3, '429': 7 });
    assert.ok((await lookups(node)) - before <= 3);
  });

  e2e('X-Forwarded-For names the client only when the peer is a trusted proxy', async (t) => {
    const env = { CATALYST_RATE_AUTH_FAILURES_PER_ADDRESS: '2/1m' };
    const [trusting, direct] = await Promise.all([
      CatalystNodeProcess.startOne(t, { env: { ...env, CATALYST_TRUSTED_PROXIES: '127.0.0.0/8,::1' } }),
      CatalystNodeProcess.startOne(t, { env }),
    ]);
    const from = (ip: string) => ({ token: 'cat_bad', headers: { 'x-forwarded-for': ip } });
    for (const node of [trusting, direct]) {
      for (let i = 0; i < 2; i++)
        assert.equal((await request(node.url, 'GET', '/signals', from('203.0.113.7'))).status, 401);
      assert.equal((await request(node.url, 'GET', '/signals', from('203.0.113.7'))).status, 429);
    }
    // Behind the trusted proxy another client is still its own address; without trust, the header is
    // ignored and every client is the peer, so a forged header cannot dodge the limit.
    assert.equal((await request(trusting.url, 'GET', '/signals', from('203.0.113.8'))).status, 401);
    assert.equal((await request(direct.url, 'GET', '/signals', from('203.0.113.8'))).status, 429);
  });
});
