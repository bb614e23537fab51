// A loopback HTTP server for the fake outside services: records every request, can refuse
// connections ("down") and come back on the same port, and ends every open socket and pending
// delayed answer when closed, so tests and `catalyst demo` never leave anything running.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

// A long `catalyst demo` must not grow without bound; tests look at far fewer.
const MAX_RECORDED = 1000;

export class RecordingServer {
  readonly requests: RecordedRequest[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private boundPort = 0;

  constructor(
    private readonly handler: Handler,
    private readonly host = '127.0.0.1',
  ) {}

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `http://${this.host}:${this.boundPort}`;
  }

  /** Listens on `port` (0: any free one; the same one again after stop()). */
  async start(port = this.boundPort): Promise<this> {
    if (this.server) return this;
    const server = createServer((req, res) => void this.receive(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => resolve());
    });
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening and cuts every open connection: clients see refused/reset until start(). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Runs `fn` after `ms` unless the server stops or the client goes away first. */
  later(res: ServerResponse, ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    res.once('close', () => {
      clearTimeout(t);
      this.timers.delete(t);
    });
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const u = new URL(req.url ?? '/', 'http://loopback');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(u.pathname),
      query: u.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      at: Date.now(),
    };
    this.requests.push(recorded);
    if (this.requests.length > MAX_RECORDED) this.requests.shift();
    try {
      await this.handler(recorded, res);
    } catch (err) {
      if (!res.headersSent) json(res, 500, { error: String(err) });
    }
  }
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Sends the headers and part of a body, then cuts the connection: a truncated answer. */
export function cutOff(res: ServerResponse, partial: string): void {
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(partial) + 100,
  });
  res.write(partial, () => res.socket?.destroy());
}
