import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Bus, BusListener } from '../../src/bus/bus.js';
import type { Signal } from '../../src/domain/signal.js';
import { LiveFeed } from '../../src/gateway/live-feed.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { guardStore } from '../../src/resilience/guarded-store.js';
import { DependencyRegistry } from '../../src/resilience/registry.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeSignal } from '../support/signals.js';
import { waitFor } from '../support/wait.js';

/** A bus the test drives by hand: it can drop, repeat, reorder and go unhealthy. */
class ManualBus implements Bus {
  readonly kind = 'manual';
  listener: BusListener | undefined;
  up = true;
  async publish(): Promise<void> {}
  subscribe(l: BusListener) {
    this.listener = l;
    return () => {
      this.listener = undefined;
    };
  }
  healthy() {
    return this.up;
  }
  async close() {}
  send(signals: Signal[]) {
    this.listener?.(signals);
  }
}

describe('LiveFeed: every committed signal once, strictly by seq, whatever the bus does', () => {
  let dir: string;
  let store: SqliteStore;
  let bus: ManualBus;
  let seen: number[];
  let feed: LiveFeed;
  let registry: DependencyRegistry;

  const stored = async (n: number) => {
    const r = await store.append(Array.from({ length: n }, () => makeSignal()));
    return r.map((x) => (x.status === 'created' ? x.signal : assert.fail('not created')));
  };
  const start = async (catchUpMs = 60_000) => {
    feed = new LiveFeed(guardStore(store, registry.get('store')), bus, (s) => seen.push(s.seq), {
      catchUpMs,
      pageSize: 3,
    });
    await feed.start();
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'catalyst-feed-'));
    store = new SqliteStore(join(dir, 'db.sqlite'));
    await store.migrate();
    bus = new ManualBus();
    seen = [];
    registry = new DependencyRegistry({
      metrics: createMetrics({ collectDefault: false }),
      logger: createLogger({ level: 'silent' }),
    });
  });
  afterEach(async () => {
    feed?.stop();
    registry.shutdown();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts at the head: history is not handed out as live', async () => {
    await stored(5);
    await start();
    assert.equal(feed.lastSeq, 5);
    const [s6] = await stored(1);
    bus.send([s6!]);
    assert.deepEqual(seen, [6]);
  });

  it('a lost bus message is read from the store when a later one shows the gap', async () => {
    await start();
    const s = await stored(8);
    bus.send([s[0]!]);
    // 2..7 lost; 8 arrives: the gap is read in pages of 3 and 8 follows in order.
    bus.send([s[7]!]);
    await waitFor(() => seen.length === 8, 'gap repair');
    assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('repeated and reordered bus messages are delivered once, in order', async () => {
    await start();
    const s = await stored(4);
    bus.send([s[1]!, s[0]!]);
    bus.send([s[0]!, s[1]!]);
    bus.send([s[3]!]);
    bus.send([s[2]!]);
    await waitFor(() => seen.length >= 4, 'all four');
    bus.send([s[2]!, s[3]!]);
    assert.deepEqual(seen, [1, 2, 3, 4]);
  });

  it('with a dead bus, the poll delivers a lost tail (no later message to show the gap)', async () => {
    bus.up = false;
    await start(300);
    await stored(5);
    await waitFor(() => seen.length === 5, 'tail read by the poll', 5000);
    assert.deepEqual(seen, [1, 2, 3, 4, 5]);
  });

  it('catchUp hands out everything committed (used before draining on shutdown)', async () => {
    await start();
    await stored(7);
    await feed.catchUp();
    assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7]);
  });
});
