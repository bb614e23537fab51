// Readiness of this node: a live store ping (through the store's breaker, so an open breaker
// answers at once) plus the breaker view of every dependency. 503 only when the node cannot serve
// its role: every role needs the store; a gateway without its bus still delivers (from the store),
// so that is `degraded`, not unavailable.
import type { Bus } from '../bus/bus.js';
import type { DependencySnapshot } from '../resilience/dependency.js';
import { readinessOf } from '../resilience/health.js';
import type { EventStore } from '../store/event-store.js';
import type { DependencyHealth, Readiness } from './health.js';

export interface ReadinessDeps {
  role: string;
  /** The guarded store: its ping runs through the store's breaker. */
  store: EventStore;
  bus: Bus;
  /** Every registered dependency's breaker view, by name. */
  dependencies(): Record<string, DependencySnapshot>;
}

export async function readiness(d: ReadinessDeps): Promise<Readiness> {
  let storeError: string | undefined;
  try {
    await d.store.ping();
  } catch (err) {
    storeError = (err as Error).message;
  }
  const dependencies: Record<string, DependencyHealth> = {};
  for (const [name, snap] of Object.entries(d.dependencies())) {
    dependencies[name] = { ...readinessOf(snap), required: name === 'store' };
  }
  const store = dependencies.store;
  if (store && storeError) Object.assign(store, { state: 'down', error: storeError });
  const bus = dependencies.bus as DependencyHealth;
  if (!d.bus.healthy() && bus.state === 'ok')
    Object.assign(bus, { state: 'degraded', error: `${d.bus.kind} bus not connected` });
  dependencies.bus = bus;
  const status = storeError
    ? 'unavailable'
    : Object.values(dependencies).some((x) => x.state !== 'ok')
      ? 'degraded'
      : 'ok';
  return { status, role: d.role, dependencies };
}
