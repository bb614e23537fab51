// The publish side the baselines share: POST /signals (one signal) and POST /signals/batch (an array,
// or {"signals":[...]}) answered 201 as Catalyst answers, with a seq and created_at assigned in
// memory. No auth, no validation, no store: what is left is the delivery path being compared.
import http from 'node:http';
import type { SignalBody } from '../workload.js';

export interface Stored {
  seq: number;
  signal: SignalBody & { seq: number; created_at: string };
}

export function publishServer(deliver: (stored: Stored[]) => void): http.Server {
  let seq = 0;
  return http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health/live') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    const batch = req.url === '/signals/batch';
    if (req.method !== 'POST' || (req.url !== '/signals' && !batch)) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as
        SignalBody | SignalBody[] | { signals: SignalBody[] };
      const items = Array.isArray(body) ? body : 'signals' in body ? body.signals : [body];
      const created_at = new Date().toISOString();
      const stored = items.map((s): Stored => {
        seq += 1;
        return { seq, signal: { ...s, seq, created_at } };
      });
      const results = stored.map((s) => ({ seq: s.seq, id: s.signal.id, created_at }));
      res
        .writeHead(201, { 'content-type': 'application/json' })
        .end(JSON.stringify(batch ? { results } : results[0]));
      // Like Catalyst: the answer first, the fan-out after this turn.
      setImmediate(() => deliver(stored));
    });
  });
}

/**
 * Listens on 127.0.0.1 (PORT, default any) and prints the line the bench waits for; `extra` names a
 * WebSocket URL other than <url>/ws and the pids beside this one.
 */
export function listen(
  server: http.Server,
  name: string,
  extra: { wsUrl?: string; pids?: number[] } = {},
): void {
  server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
    const a = server.address() as { address: string; port: number };
    process.stdout.write(
      `${JSON.stringify({ msg: 'listening', name, url: `http://${a.address}:${a.port}`, ...extra })}\n`,
    );
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
