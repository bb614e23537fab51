// Baseline (b): Socket.IO 4, websocket transport only, one room per ticker (and per catalyst, per
// confidence threshold, one for all). A subscriber emits 'subscribe' with Catalyst's filter object
// (acknowledged); a signal is emitted once to the union of the rooms it matches as
// 'signal' {seq, signal}. With SIO_REDIS_STREAM set, nodes share the Redis Streams adapter (two-node
// case). Run: node --import tsx bench/baselines/socketio.ts
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import type { Filters } from '../workload.js';
import { listen, publishServer, type Stored } from './publish-http.js';

/** Confidence thresholds subscribed on this node (a room each); a signal goes to those at or below it. */
const thresholds = new Set<number>();

function roomsOf(f: Filters): string[] {
  if (f.tickers?.length) return f.tickers.map((t) => `t:${t}`);
  if (f.catalysts?.length) return f.catalysts.map((c) => `c:${c}`);
  if (f.min_confidence !== undefined) {
    thresholds.add(f.min_confidence);
    return [`q:${f.min_confidence}`];
  }
  return ['all'];
}

function deliver(stored: Stored[]): void {
  for (const { seq, signal } of stored) {
    const rooms = [`t:${signal.ticker}`, `c:${signal.catalyst}`, 'all'];
    for (const q of thresholds) if (q <= signal.confidence) rooms.push(`q:${q}`);
    io.to(rooms).emit('signal', { seq, signal });
  }
}

const server = publishServer(deliver);
const stream = process.env.SIO_REDIS_STREAM;
const redis = stream ? new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') : undefined;
const io = new Server(server, {
  transports: ['websocket'],
  perMessageDeflate: false,
  httpCompression: false,
  serveClient: false,
  ...(redis ? { adapter: createAdapter(redis, { streamName: stream as string, maxLen: 100_000 }) } : {}),
});
io.on('connection', (socket) => {
  socket.on('subscribe', (f: Filters, ack?: (r: object) => void) => {
    for (const r of socket.rooms) if (r !== socket.id) void socket.leave(r);
    void socket.join(roomsOf(f ?? {}));
    ack?.({ type: 'subscribed', filters: f });
  });
});
listen(server, 'socketio');
process.on('exit', () => redis?.disconnect());
