// The client against a real Catalyst node (in-process, embedded SQLite): a node drains (1001) and a
// new one comes up on the same store; the subscriber resumes and gets every signal once, in order.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { createToken } from '../../src/auth/tokens.js';
import { CatalystClient } from '../../src/client/index.js';
import { loadConfig } from '../../src/config.js';
import type { Signal } from '../../src/domain/signal.js';
import { openCommandStore, startCatalyst } from '../../src/main.js';
import { waitFor, withDeadline } from '../support/wait.js';
import { record, seqs } from './support/harness.js';

describe('client e2e against a real node', () => {
  it('resumes across a node drain and restart on the same store, missing nothing', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'catalyst-client-e2e-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const config = (port: number) =>
      loadConfig(
        { port: String(port), 'data-dir': dataDir },
        { CATALYST_HEARTBEAT_MS: '200', CATALYST_SHUTDOWN_GRACE_MS: '500' },
      );
    const store = await openCommandStore(config(0));
    const { token: subscribeToken } = await createToken(store, 'client-e2e-sub', ['subscribe']);
    const { token: publishToken } = await createToken(store, 'client-e2e-pub', ['publish']);
    await store.close();

    const logger = pino({ level: 'silent' });
    let node = await startCatalyst(config(0), { logger });
    t.after(() => node.close());
    const port = node.port;
    const post = (id: string, confidence: number) =>
      fetch(`${node.url}/signals`, {
        method: 'POST',
        headers: { authorization: `Bearer ${publishToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          id,
          ticker: 'NBTX',
          title: `news ${id}`,
          source: 'e2e',
          catalyst: 'fda',
          sentiment: 0.5,
          confidence,
          published_at: '2026-11-23T14:05:00Z',
        }),
      });
    const publish = async (id: string, confidence: number) => {
      // fetch may pick a pooled connection to the node that just closed; the id makes a retry safe.
      const res = await post(id, confidence).catch(() => post(id, confidence));
      assert.equal(res.status, 201, await res.text());
    };

    const client = new CatalystClient({
      url: `ws://127.0.0.1:${port}/ws`,
      token: subscribeToken,
      filters: { min_confidence: 0.8 },
      reconnect: { minDelayMs: 20, maxDelayMs: 100 },
    });
    const seen = record(client);
    t.after(() => client.close());
    const got: Signal[] = [];
    const loop = (async () => {
      for await (const s of client.signals()) got.push(s);
    })();
    await withDeadline(client.connect(), 'connect');
    assert.deepEqual(client.position, { epoch: node.epoch, seq: 0 });

    await publish('a', 0.9);
    await publish('b', 0.5); // filtered out
    await publish('c', 0.95);
    await waitFor(() => got.length === 2, 'two matching signals');

    await node.close(); // drains its sessions with 1001
    await waitFor(() => seen.disconnected.some((d) => d.code === 1001), 'the drain');
    node = await startCatalyst(config(port), { logger });
    await publish('d', 0.85); // may arrive by replay or live, depending on when the client is back
    await publish('e', 0.3);
    await publish('f', 0.99);
    await waitFor(() => got.length === 4, 'the signals published after the restart', 10_000);
    await waitFor(() => client.connected, 'reconnected');

    assert.deepEqual(seqs(got), [1, 3, 4, 6]);
    assert.deepEqual(
      got.map((s) => s.id),
      ['a', 'c', 'd', 'f'],
    );
    assert.deepEqual(seen.resets, [], 'same store, same epoch');
    assert.deepEqual(client.position, { epoch: node.epoch, seq: 6 });
    const pong = await client.ping();
    assert.equal(pong.last_seq, 6);
    await client.close();
    await withDeadline(loop, 'the iterator to end');
  });
});
