// A local stand-in for Sentry's ingest: accepts envelopes at POST /api/<project>/envelope/ on
// 127.0.0.1 and keeps the events they carry, so a test can assert what was reported.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface SentryEvent {
  event_id: string;
  tags?: Record<string, string>;
  exception?: { values?: Array<{ type?: string; value?: string }> };
  [k: string]: unknown;
}

export interface SentryReceiver {
  /** DSN pointing the SDK here (project 42). */
  dsn: string;
  events: SentryEvent[];
  close(): Promise<void>;
}

/** Envelope: a header line, then (item header line, payload line) pairs. */
function eventsIn(body: string): SentryEvent[] {
  const lines = body.split('\n').filter(Boolean);
  const events: SentryEvent[] = [];
  for (let i = 1; i + 1 < lines.length; i += 2) {
    const item = JSON.parse(lines[i]!) as { type?: string };
    if (item.type === 'event') events.push(JSON.parse(lines[i + 1]!) as SentryEvent);
  }
  return events;
}

export async function startSentryReceiver(): Promise<SentryReceiver> {
  const events: SentryEvent[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      if (req.method === 'POST' && req.url?.startsWith('/api/42/envelope/'))
        events.push(...eventsIn(body.toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    dsn: `http://publickey@127.0.0.1:${port}/42`,
    events,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
