// The subscription index the hand-written baselines share: each connection sits under one key (its
// first ticker, else first catalyst, else the confidence list, else all), so a signal visits only
// the connections that could match it, each once.
import type { WebSocket } from 'ws';
import { type Filters, passes } from '../workload.js';

const CONF = 'q';
const ALL = '*';

function keysOf(f: Filters): string[] {
  if (f.tickers?.length) return f.tickers.map((t) => `t:${t}`);
  if (f.catalysts?.length) return f.catalysts.map((c) => `c:${c}`);
  return [f.min_confidence !== undefined ? CONF : ALL];
}

export class TickerIndex<C> {
  private readonly byKey = new Map<string, Set<C>>();
  private readonly filters = new Map<C, Filters>();

  /** Replaces the connection's filter. */
  set(conn: C, f: Filters): void {
    this.remove(conn);
    this.filters.set(conn, f);
    for (const k of keysOf(f)) {
      let set = this.byKey.get(k);
      if (!set) this.byKey.set(k, (set = new Set()));
      set.add(conn);
    }
  }

  remove(conn: C): void {
    const f = this.filters.get(conn);
    if (f) for (const k of keysOf(f)) this.byKey.get(k)?.delete(conn);
    this.filters.delete(conn);
  }

  /** Calls `each` once per connection whose filter the signal passes. */
  forEach(signal: { ticker: string; catalyst: string; confidence: number }, each: (conn: C) => void): void {
    const seen = new Set<C>();
    for (const k of [`t:${signal.ticker}`, `c:${signal.catalyst}`, CONF, ALL]) {
      for (const conn of this.byKey.get(k) ?? []) {
        if (seen.has(conn)) continue;
        seen.add(conn);
        if (passes(this.filters.get(conn) as Filters, signal)) each(conn);
      }
    }
  }
}

/** Indexes `conn` under the filter of each subscribe message `ws` sends, until it closes. */
export function indexSubscriptions<C>(index: TickerIndex<C>, ws: WebSocket, conn: C): void {
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { type: string; filters?: Filters };
    if (m.type !== 'subscribe') return;
    const f = m.filters ?? {};
    index.set(conn, f);
    ws.send(JSON.stringify({ type: 'subscribed', filters: f }));
  });
  ws.on('close', () => index.remove(conn));
  ws.on('error', () => ws.terminate());
}
