// Adapters wrapped as main.ts wraps them, for the conformance suites: a port's contract must hold
// through its guard too. Each wrapper has its own registry, stopped when the port is closed.
import type { Bus } from '../../src/bus/bus.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { guardBus } from '../../src/resilience/guarded-bus.js';
import { guardStore, type Store } from '../../src/resilience/guarded-store.js';
import { DependencyRegistry } from '../../src/resilience/registry.js';

const registry = () =>
  new DependencyRegistry({
    metrics: createMetrics({ collectDefault: false }),
    logger: createLogger({ level: 'silent' }),
  });

export function guarded(store: Store): Store {
  const r = registry();
  const g = guardStore(store, r.get('store'));
  return {
    ...g,
    close: async () => {
      await g.close();
      r.shutdown();
    },
  };
}

export function guardedBus(bus: Bus): Bus {
  const r = registry();
  const g = guardBus(bus, r.get('bus'));
  return {
    ...g,
    close: async () => {
      await g.close();
      r.shutdown();
    },
  };
}
