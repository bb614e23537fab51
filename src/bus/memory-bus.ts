// In-process bus for one node: synchronous fan-out to this process's listeners, never lossy.
import type { Signal } from '../domain/signal.js';
import type { Bus, BusListener } from './bus.js';

export class MemoryBus implements Bus {
  readonly kind = 'memory';
  private readonly listeners = new Set<BusListener>();

  async publish(signals: Signal[]): Promise<void> {
    for (const l of this.listeners) l(signals);
  }

  subscribe(listener: BusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  healthy(): boolean {
    return true;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
