// The Bus conformance suite: runs unchanged against every adapter (memory, Redis Streams). It checks
// what src/bus/bus.ts promises while the bus's server is up; loss and repair across outages are the
// Redis adapter's own tests and the gateway's.
import assert from 'node:assert/strict';
import { describe, type TestContext } from 'node:test';
import type { Bus } from '../../src/bus/bus.js';
import type { Signal } from '../../src/domain/signal.js';
import { storedSignal } from '../../src/domain/signal.js';
import { fixtureTest } from '../support/fixture-test.js';
import { makeSignal } from '../support/signals.js';
import { waitFor } from '../support/wait.js';

export interface BusFixture {
  /** A bus for another node of the same deployment (same backend). */
  node(): Promise<Bus>;
  /** Closes every node it opened and removes what the fixture created. */
  cleanup(): Promise<void>;
}

let seq = 0;
const signals = (n: number, over: Parameters<typeof makeSignal>[0] = {}): Signal[] =>
  Array.from({ length: n }, () => storedSignal(makeSignal(over), ++seq, new Date().toISOString()));

/** Subscribes and records every signal the listener receives, in order. */
function record(bus: Bus) {
  const got: Signal[] = [];
  const unsubscribe = bus.subscribe((batch) => got.push(...batch));
  return { got, ids: () => got.map((s) => s.id), unsubscribe };
}

const listening = (...buses: Bus[]) =>
  waitFor(() => buses.every((b) => b.healthy()), 'every bus to be healthy');

export function busConformance(name: string, factory: (t: TestContext) => Promise<BusFixture | undefined>) {
  describe(`Bus conformance: ${name}`, () => {
    const withNodes = fixtureTest(factory);

    withNodes('every node receives what any node publishes, once, in each publisher order', async (f) => {
      const nodes = [await f.node(), await f.node(), await f.node()];
      const recorders = nodes.map(record);
      await listening(...nodes);
      // Each node publishes its own sequence of batches, all three at once.
      const sent = nodes.map(() => [signals(2), signals(1), signals(5), signals(1)]);
      await Promise.all(
        nodes.map(async (n, i) => {
          for (const batch of sent[i]!) await n.publish(batch);
        }),
      );
      const total = sent.flat(2).length;
      for (const r of recorders) {
        await waitFor(() => r.got.length >= total, 'every signal on every node');
        assert.equal(new Set(r.ids()).size, total, 'no signal twice');
        for (const mine of sent) {
          const order = mine.flat().map((s) => s.id);
          assert.deepEqual(
            r.ids().filter((id) => order.includes(id)),
            order,
            "a publisher's order is kept",
          );
        }
      }
    });

    withNodes('signals arrive unchanged, a batch of 500 included', async (f) => {
      const [a, b] = [await f.node(), await f.node()];
      const r = record(b);
      await listening(a, b);
      const sent = [
        ...signals(1, {
          url: 'https://example.com/a?b=c',
          score: -2.5,
          metadata: { nested: { k: [1, 'x', null] }, s: 'é "q"' },
        }),
        ...signals(499),
      ];
      await a.publish(sent);
      await waitFor(() => r.got.length >= sent.length, 'the whole batch');
      assert.deepEqual(r.got, sent);
    });

    withNodes('a resolved publish is delivered even if the publisher closes at once', async (f) => {
      const [a, b] = [await f.node(), await f.node()];
      const r = record(b);
      await listening(a, b);
      const sent = signals(3);
      await a.publish(sent);
      await a.close();
      await waitFor(() => r.got.length >= 3, 'the signals of the closed publisher');
      assert.deepEqual(
        r.ids(),
        sent.map((s) => s.id),
      );
      await assert.rejects(a.publish(signals(1)), 'a closed bus refuses to publish');
    });

    withNodes('unsubscribing or closing stops delivery to that listener only', async (f) => {
      const [a, b, c] = [await f.node(), await f.node(), await f.node()];
      const [ra, rb, rc] = [record(a), record(b), record(c)];
      const rc2 = record(c);
      await listening(a, b, c);
      const first = signals(1);
      await a.publish(first);
      await waitFor(() => [ra, rb, rc, rc2].every((r) => r.got.length === 1), 'the first signal everywhere');
      rc2.unsubscribe();
      await b.close();
      assert.equal(b.healthy(), false, 'a closed bus is not healthy');
      const second = signals(1);
      await a.publish(second);
      // The second signal reaching the other listeners bounds the time it could take to (wrongly) arrive.
      await waitFor(() => ra.got.length === 2 && rc.got.length === 2, 'the second signal on open nodes');
      await a.publish(signals(1));
      await waitFor(() => ra.got.length === 3 && rc.got.length === 3, 'a third signal on open nodes');
      assert.deepEqual(
        rb.ids(),
        first.map((s) => s.id),
        'closed node received nothing more',
      );
      assert.deepEqual(
        rc2.ids(),
        first.map((s) => s.id),
        'unsubscribed listener received nothing more',
      );
    });

    withNodes('publishing nothing is a no-op', async (f) => {
      const [a, b] = [await f.node(), await f.node()];
      const r = record(b);
      await listening(a, b);
      await a.publish([]);
      const marker = signals(1);
      await a.publish(marker);
      await waitFor(() => r.got.length > 0, 'the marker');
      assert.deepEqual(
        r.ids(),
        marker.map((s) => s.id),
      );
    });
  });
}
