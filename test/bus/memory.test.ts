import { MemoryBus, MemoryBusHub } from '../../src/bus/memory-bus.js';
import type { Bus } from '../../src/bus/bus.js';
import { guardedBus } from '../support/guarded.js';
import { busConformance } from './conformance.js';

const memoryFixture = (wrap: (b: Bus) => Bus) => async () => {
  const hub = new MemoryBusHub();
  const nodes: Bus[] = [];
  return {
    node: async () => {
      const b = wrap(new MemoryBus(hub));
      nodes.push(b);
      return b;
    },
    cleanup: async () => {
      await Promise.all(nodes.map((b) => b.close()));
    },
  };
};

busConformance(
  'memory',
  memoryFixture((b) => b),
);
busConformance('memory, guarded as main.ts wraps it', memoryFixture(guardedBus));
