// Baseline (a): a raw `ws` broadcast server with a subscription index, the ceiling of one write per
// delivery. Catalyst's wire subset (subscribe -> subscribed, {"type":"signal","seq","signal"} frames),
// each frame serialised once per signal and written once per matching connection; no auth, no store,
// no replay, no slow-consumer policy. Run: node --import tsx bench/baselines/raw-ws.ts
import { WebSocket, WebSocketServer } from 'ws';
import { type Filters, passes } from '../workload.js';
import { listen, publishServer, type Stored } from './publish-http.js';

/** Each connection sits under one key: its first ticker, else first catalyst, else the confidence list, else all. */
const byKey = new Map<string, Set<WebSocket>>();
const filters = new Map<WebSocket, Filters>();
const CONF = 'q';
const ALL = '*';

function keyOf(f: Filters): string[] {
  if (f.tickers?.length) return f.tickers.map((t) => `t:${t}`);
  if (f.catalysts?.length) return f.catalysts.map((c) => `c:${c}`);
  return [f.min_confidence !== undefined ? CONF : ALL];
}

function unindex(ws: WebSocket): void {
  const f = filters.get(ws);
  if (f) for (const k of keyOf(f)) byKey.get(k)?.delete(ws);
  filters.delete(ws);
}

function deliver(stored: Stored[]): void {
  for (const { seq, signal } of stored) {
    const frame = JSON.stringify({ type: 'signal', seq, signal });
    const seen = new Set<WebSocket>();
    for (const k of [`t:${signal.ticker}`, `c:${signal.catalyst}`, CONF, ALL]) {
      for (const ws of byKey.get(k) ?? []) {
        if (seen.has(ws)) continue;
        seen.add(ws);
        if (passes(filters.get(ws) as Filters, signal)) ws.send(frame);
      }
    }
  }
}

const server = publishServer(deliver);
const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { type: string; filters?: Filters };
    if (m.type !== 'subscribe') return;
    unindex(ws);
    const f = m.filters ?? {};
    filters.set(ws, f);
    for (const k of keyOf(f)) {
      let set = byKey.get(k);
      if (!set) byKey.set(k, (set = new Set()));
      set.add(ws);
    }
    ws.send(JSON.stringify({ type: 'subscribed', filters: f }));
  });
  ws.on('close', () => unindex(ws));
  ws.on('error', () => ws.terminate());
});
listen(server, 'raw-ws');
