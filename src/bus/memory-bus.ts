// In-process bus: synchronous fan-out, never lossy. Buses sharing one MemoryBusHub behave as the
// nodes of one deployment (tests and single-process multi-node setups); by default each bus is its
// own single node.
import type { Signal } from '../domain/signal.js';
import type { Bus, BusListener } from './bus.js';

/** The medium that MemoryBus instances on one process publish through. */
export class MemoryBusHub {
  readonly buses = new Set<MemoryBus>();
}

export class MemoryBus implements Bus {
  readonly kind = 'memory';
  private readonly listeners = new Set<BusListener>();
  private closed = false;

  constructor(private readonly hub = new MemoryBusHub()) {
    hub.buses.add(this);
  }

  async publish(signals: Signal[]): Promise<void> {
    if (this.closed) throw new Error('bus closed');
    for (const bus of this.hub.buses) bus.deliver(signals);
  }

  private deliver(signals: Signal[]): void {
    for (const l of [...this.listeners]) l(signals);
  }

  subscribe(listener: BusListener): () => void {
    // A fresh function per subscription, so subscribing one listener twice means two deliveries.
    const entry: BusListener = (s) => listener(s);
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  healthy(): boolean {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.hub.buses.delete(this);
    this.listeners.clear();
  }
}
