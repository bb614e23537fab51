// The Bus port: tells every gateway node that signals were committed. It only makes delivery fast;
// the EventStore is the truth.
import type { Signal } from '../domain/signal.js';

export type BusListener = (signals: Signal[]) => void;

/**
 * Contract:
 * - `publish` is called after the store committed the signals, in seq order per publisher. It
 *   resolves only once the bus has accepted them (for Redis: the XADD was acknowledged), so a
 *   publisher that stops right after a resolved publish still gets them delivered.
 * - While the bus's server is reachable from both nodes, a listener subscribed on a bus whose
 *   `healthy()` has since returned true receives every signal published after that moment exactly
 *   once, in each publisher's order. Listeners may see signals grouped into different batches than
 *   they were published in.
 * - A bus MAY lose, repeat or reorder messages across publishers (a Redis outage, a node that
 *   committed but crashed before publishing). Listeners must not rely on completeness: the gateway's
 *   LiveFeed delivers strictly by seq and reads any gap from the store, so a lossy bus costs
 *   latency, never signals.
 * - `publish` fails fast (never hangs) when the server is unreachable; failing never un-stores a
 *   signal: callers log it and move on.
 * - After `close`, no listener of that bus is called again and `publish` rejects.
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
