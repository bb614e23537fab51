// Baseline (a): a raw `ws` broadcast server with a subscription index, the ceiling of one write per
// delivery. Catalyst's wire subset (subscribe -> subscribed, {"type":"signal","seq","signal"} frames),
// each frame serialised once per signal and written once per matching connection; no auth, no store,
// no replay, no slow-consumer policy. Run: node --import tsx bench/baselines/raw-ws.ts
import { type WebSocket, WebSocketServer } from 'ws';
import { listen, publishServer, type Stored } from './publish-http.js';
import { indexSubscriptions, TickerIndex } from './ticker-index.js';

const index = new TickerIndex<WebSocket>();

function deliver(stored: Stored[]): void {
  for (const { seq, signal } of stored) {
    const frame = JSON.stringify({ type: 'signal', seq, signal });
    index.forEach(signal, (ws) => ws.send(frame));
  }
}

const server = publishServer(deliver);
const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false });
wss.on('connection', (ws) => indexSubscriptions(index, ws, ws));
listen(server, 'raw-ws');
