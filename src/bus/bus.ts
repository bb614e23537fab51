// The Bus port: tells every gateway node that signals were committed. It only makes delivery fast;
// the EventStore is the truth.
import type { Signal } from '../domain/signal.js';

export type BusListener = (signals: Signal[]) => void;

/**
 * Contract:
 * - `publish` is called after the store committed the signals, in seq order per publisher.
 * - A bus MAY lose, repeat or reorder messages across publishers (a Redis outage, a node that
 *   committed but crashed before publishing). Listeners must not rely on completeness: the gateway's
 *   LiveFeed delivers strictly by seq and reads any gap from the store, so a lossy bus costs
 *   latency, never signals.
 * - `publish` failing never un-stores a signal; callers log it and move on.
 */
export interface Bus {
  readonly kind: string;
  publish(signals: Signal[], signal?: AbortSignal): Promise<void>;
  /** Registers a listener for signals from every node (this one included). */
  subscribe(listener: BusListener): () => void;
  /** True while the bus believes it is receiving; false tells the feed to poll the store harder. */
  healthy(): boolean;
  close(): Promise<void>;
}
