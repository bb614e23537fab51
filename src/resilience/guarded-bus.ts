// The bus as consumers see it: publish runs through the bus's Dependency (never retried: the bus
// only makes delivery fast, and a gateway reads whatever it misses from the store).
import type { Bus } from '../bus/bus.js';
import type { Dependency } from './dependency.js';
import { portCalls } from './port-calls.js';

export function guardBus(bus: Bus, dep: Dependency): Bus {
  const { write } = portCalls(dep);
  return {
    kind: bus.kind,
    publish: (signals, signal) => write((s) => bus.publish(signals, s), signal),
    subscribe: (listener) => bus.subscribe(listener),
    healthy: () => bus.healthy(),
    close: () => bus.close(),
  };
}
