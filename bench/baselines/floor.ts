// Baseline (c), diagnostic: the floor of one write per delivery on this machine. Each signal is
// serialised and framed once (Catalyst's own wireFrame) and the same Buffer is written with
// socket.write to every matching connection: no `ws` Sender, no auth, no store, nothing per session
// beyond the write. `ws` is used only for the upgrade and the subscribe message.
//
// FLOOR_WORKERS=K (default 1) serves the WebSocket port from K processes (node:cluster; the primary
// assigns seq and relays each signal to every worker over IPC): what a gateway sharded across the
// machine's cores would reach. Prints the listening line with the WebSocket URL and every pid (for
// the bench's CPU and memory figures). Run: node --import tsx bench/baselines/floor.ts
import cluster from 'node:cluster';
import http from 'node:http';
import { createServer, type Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { wireFrame } from '../../src/gateway/messages.js';
import { listen, publishServer, type Stored } from './publish-http.js';
import { indexSubscriptions, TickerIndex } from './ticker-index.js';

const WORKERS = Math.max(1, Number(process.env.FLOOR_WORKERS ?? 1));

/** One process's connections; `deliver` writes each signal's one frame to those it matches. */
function gateway(): { wss: WebSocketServer; deliver(stored: Stored[]): void } {
  const index = new TickerIndex<Socket>();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  wss.on('connection', (ws: WebSocket) => {
    // ws's private socket: written to directly, as Catalyst does when ws's Sender is idle.
    indexSubscriptions(index, ws, (ws as unknown as { _socket: Socket })._socket);
  });
  const deliver = (stored: Stored[]) => {
    for (const { seq, signal } of stored) {
      const frame = wireFrame(JSON.stringify({ type: 'signal', seq, signal }));
      index.forEach(signal, (socket) => socket.write(frame));
    }
  };
  return { wss, deliver };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

if (WORKERS === 1) {
  const g = gateway();
  const server = publishServer(g.deliver);
  server.on('upgrade', (req, socket, head) =>
    g.wss.handleUpgrade(req, socket, head, (ws) => g.wss.emit('connection', ws, req)),
  );
  listen(server, 'floor');
} else if (cluster.isPrimary) {
  const wsPort = await freePort();
  const workers = Array.from({ length: WORKERS }, () => cluster.fork({ FLOOR_WS_PORT: String(wsPort) }));
  await Promise.all(workers.map((w) => new Promise((r) => w.once('listening', r))));
  const server = publishServer((stored) => {
    for (const w of workers) w.send(stored);
  });
  listen(server, 'floor', {
    wsUrl: `ws://127.0.0.1:${wsPort}/ws`,
    pids: [process.pid, ...workers.map((w) => w.process.pid as number)],
  });
  process.on('SIGTERM', () => {
    for (const w of workers) w.kill();
  });
} else {
  const g = gateway();
  const hs = http.createServer((_req, res) => res.writeHead(404).end());
  hs.on('upgrade', (req, socket, head) =>
    g.wss.handleUpgrade(req, socket, head, (ws) => g.wss.emit('connection', ws, req)),
  );
  hs.listen(Number(process.env.FLOOR_WS_PORT), '127.0.0.1');
  process.on('message', (stored: Stored[]) => g.deliver(stored));
}
