import { MemoryBus, MemoryBusHub } from '../../src/bus/memory-bus.js';
import type { Bus } from '../../src/bus/bus.js';
import { busConformance } from './conformance.js';

busConformance('memory', async () => {
  const hub = new MemoryBusHub();
  const nodes: Bus[] = [];
  return {
    node: async () => {
      const b = new MemoryBus(hub);
      nodes.push(b);
      return b;
    },
    cleanup: async () => {
      await Promise.all(nodes.map((b) => b.close()));
    },
  };
});
