import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Clock } from '../../src/client/index.js';
import { waitFor, withDeadline } from '../support/wait.js';
import { range, seqs, setup } from './support/harness.js';

describe('client: reconnecting and resuming', () => {
  it('after 4408 reconnects and resumes with since_seq, missing nothing and repeating nothing', async (t) => {
    const { server, client, seen } = await setup(t);
    await withDeadline(client.connect(), 'connect');
    server.publish(3);
    await waitFor(() => seen.signals.length === 3, 'first signals');
    server.current!.close(4408, 'slow consumer');
    await waitFor(() => seen.disconnected.length === 1, 'disconnect');
    server.publish(4); // stored while the client is away
    await waitFor(() => seen.signals.length === 7, 'replayed signals');
    assert.deepEqual(seen.disconnected[0], {
      code: 4408,
      reason: 'slow consumer',
      willReconnect: true,
      delayMs: seen.disconnected[0]?.delayMs,
    });
    assert.equal(server.sessions.length, 2);
    assert.equal(server.current!.subscribes[0]?.since_seq, 3);
    assert.equal(server.current!.subscribes[0]?.epoch, 'epoch-1');
    server.publish(1);
    await waitFor(() => seen.signals.length === 8, 'live after resume');
    assert.deepEqual(seqs(seen.signals), range(1, 8));
  });

  it('reconnects after the network drops (1006) and after 1001 and 1013', async (t) => {
    const { server, client, seen } = await setup(t);
    await withDeadline(client.connect(), 'connect');
    server.current!.kill();
    await waitFor(() => server.sessions.length === 2 && client.connected, 'reconnect after 1006');
    server.current!.close(1001, 'shutting down');
    await waitFor(() => server.sessions.length === 3 && client.connected, 'reconnect after 1001');
    server.current!.close(1013, 'overloaded');
    await waitFor(() => server.sessions.length === 4 && client.connected, 'reconnect after 1013');
    assert.deepEqual(
      seen.disconnected.map((d) => [d.code, d.willReconnect]),
      [
        [1006, true],
        [1001, true],
        [1013, true],
      ],
    );
  });

  it('drops signals at or below the last seq it delivered (a server replaying too much)', async (t) => {
    const { server, client, seen } = await setup(
      t,
      { replayFromOverride: 0 },
      { position: { epoch: 'epoch-1', seq: 0 } },
    );
    server.publish(5);
    await withDeadline(client.connect(), 'connect');
    await waitFor(() => seen.signals.length === 5, 'first replay');
    server.current!.close(4408);
    server.publish(2);
    await waitFor(() => server.sessions.length === 2 && seen.signals.length === 7, 'second replay');
    server.current!.send({ type: 'signal', seq: 7, signal: server.stored[6] }); // a plain repeat
    server.publish(1);
    await waitFor(() => seen.signals.length >= 8, 'live signal');
    assert.deepEqual(seqs(seen.signals), range(1, 8));
  });

  it('drops the connection and resumes when a frame cannot be parsed', async (t) => {
    const { server, client, seen } = await setup(t);
    await withDeadline(client.connect(), 'connect');
    server.current!.ws.send('{"type":"signal","seq":');
    await waitFor(() => seen.disconnected.length === 1, 'disconnect');
    assert.match(seen.disconnected[0]!.reason, /not JSON/);
    await waitFor(() => server.sessions.length === 2 && client.connected, 'reconnect');
  });

  it('jitters each delay within its growing ceiling, and waits longer after 4429', async (t) => {
    let r = 1 - 1e-9;
    const { server, client, seen } = await setup(
      t,
      { onConnection: (s) => s.close(seen.disconnected.length < 4 ? 4408 : 4429) },
      { reconnect: { minDelayMs: 4, maxDelayMs: 40, factor: 2, throttledMinDelayMs: 30 }, random: () => r },
    );
    // Every connection is closed at once: 4 x 4408, then 4429.
    void client.connect().catch(() => {});
    await waitFor(() => seen.disconnected.length >= 4, 'four refusals');
    r = 0;
    await waitFor(() => seen.disconnected.length >= 6, 'two throttled refusals');
    await client.close();
    const delays = seen.disconnected.slice(0, 6).map((d) => d.delayMs);
    // random ~1 gives the ceiling: 4, 8, 16, 32; random 0 after 4429 gives half the throttled ceiling.
    assert.deepEqual(delays.slice(0, 4), [4, 8, 16, 32]);
    assert.deepEqual(delays.slice(4), [20, 20]);
    assert.ok(server.sessions.length >= 6);
  });

  it('resets the backoff once a connection has stayed healthy', async (t) => {
    let now = 0;
    const clock: Clock = {
      now: () => now,
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    };
    const { server, client, seen } = await setup(
      t,
      {},
      { clock, random: () => 1 - 1e-9, reconnect: { minDelayMs: 5, maxDelayMs: 1000, healthyAfterMs: 1000 } },
    );
    await withDeadline(client.connect(), 'connect');
    for (let i = 1; i <= 3; i++) {
      server.current!.close(4408);
      await waitFor(() => server.sessions.length === i + 1 && client.connected, `reconnect ${i}`);
    }
    now += 1000; // this connection has now been up long enough
    server.current!.close(4408);
    await waitFor(() => seen.disconnected.length === 4, 'fourth disconnect');
    assert.deepEqual(
      seen.disconnected.map((d) => d.delayMs),
      [5, 10, 20, 5],
    );
  });

  it('takes a silent connection for dead after heartbeatTimeoutFactor x heartbeat_ms', async (t) => {
    const { server, client, seen } = await setup(t, { heartbeatMs: 20 }, { heartbeatTimeoutFactor: 2.5 });
    await withDeadline(client.connect(), 'connect');
    await waitFor(() => seen.disconnected.length === 1, 'watchdog');
    assert.equal(seen.disconnected[0]?.reason, 'no frame for 50 ms');
    assert.equal(seen.disconnected[0]?.code, 1006);
    await waitFor(() => server.sessions.length === 2, 'reconnect');
  });

  it('keeps a connection whose heartbeats arrive, even when their last_seq runs ahead', async (t) => {
    const { server, client, seen } = await setup(
      t,
      // Not shorter: a loaded machine's event-loop stall longer than the watchdog period (3 beats)
      // would end the connection for a reason this test is not about.
      { heartbeatMs: 250, heartbeats: true },
      { filters: { tickers: ['AAPL'] } },
    );
    await withDeadline(client.connect(), 'connect');
    server.publish(3); // filtered out: heartbeats will say last_seq 3 while we delivered nothing
    const session = server.current!;
    await waitFor(
      () => session.heartbeatsSent >= 8 || seen.disconnected.length > 0,
      'eight heartbeats (2 s, more than two watchdog periods)',
    );
    assert.equal(seen.disconnected.length, 0);
    assert.equal(seen.signals.length, 0);
    assert.equal(server.sessions.length, 1);
  });
});
