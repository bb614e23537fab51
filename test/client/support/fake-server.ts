// A small server that speaks the Catalyst WebSocket protocol (docs: /work/shared/design/protocol.md)
// well enough to drive the client, and that a test can steer: close a session with any code, stop
// answering, batch frames, send resets, change epoch. It keeps its signals in memory.
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { matches, type SignalFilter } from '../../../src/domain/filter.js';
import type { Signal } from '../../../src/domain/signal.js';

export interface FakeServerOptions {
  token?: string;
  epoch?: string;
  /** heartbeat_ms announced in welcome. */
  heartbeatMs?: number;
  /** Send heartbeats every heartbeatMs (off by default so tests decide what the client hears). */
  heartbeats?: boolean;
  /** Send `subscribed` and the replay as one JSON array frame. */
  batch?: boolean;
  /** Refuse every upgrade with this HTTP status. */
  rejectUpgradeWith?: number;
  /** Close a session whose send buffer passes this many bytes with 4408, as the real gateway does. */
  slowConsumerBytes?: number;
  /** Replay from this seq regardless of since_seq (to prove the client drops duplicates). */
  replayFromOverride?: number;
  /** Called for each client message before the default handling; return true to skip it. */
  onMessage?: (session: FakeSession, message: ClientMessage) => boolean;
  /** Called for each new session before anything is sent. */
  onConnection?: (session: FakeSession) => void;
}

export interface ClientMessage {
  type: string;
  token?: string;
  filters?: SignalFilter;
  since_seq?: number;
  epoch?: string;
  ts?: number;
}

export class FakeSession {
  readonly received: ClientMessage[] = [];
  authed = false;
  filters: SignalFilter | undefined;
  closedWith: number | undefined;
  heartbeatsSent = 0;
  /** The code the connection ended with, as this side saw it. */
  endedWith: number | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    readonly ws: WebSocket,
    readonly path: string,
    readonly authorization: string | undefined,
  ) {}

  get subscribes(): ClientMessage[] {
    return this.received.filter((m) => m.type === 'subscribe');
  }

  send(message: object | object[]): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(message));
  }

  close(code: number, reason = ''): void {
    this.closedWith = code;
    this.stopHeartbeats();
    this.ws.close(code, reason);
  }

  /** Drops the TCP connection without a closing handshake (the client sees 1006). */
  kill(): void {
    this.stopHeartbeats();
    this.ws.terminate();
  }

  startHeartbeats(ms: number, lastSeq: () => number): void {
    this.heartbeat = setInterval(() => {
      this.heartbeatsSent++;
      this.send({ type: 'heartbeat', last_seq: lastSeq(), ts: Date.now() });
    }, ms);
  }

  stopHeartbeats(): void {
    clearInterval(this.heartbeat);
  }
}

export function makeSignal(seq: number, over: Partial<Signal> = {}): Signal {
  return {
    seq,
    id: `sig-${seq}`,
    ticker: 'NBTX',
    title: `signal ${seq}`,
    source: 'test',
    catalyst: 'fda',
    sentiment: 0.5,
    confidence: 0.9,
    published_at: '2026-11-23T14:05:00.000Z',
    created_at: '2026-11-23T14:05:01.000Z',
    ...over,
  };
}

export class FakeCatalyst {
  readonly sessions: FakeSession[] = [];
  readonly stored: Signal[] = [];
  epoch: string;
  private constructor(
    private readonly wss: WebSocketServer,
    readonly opts: FakeServerOptions,
  ) {
    this.epoch = opts.epoch ?? 'epoch-1';
  }

  static async start(opts: FakeServerOptions = {}): Promise<FakeCatalyst> {
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      verifyClient: opts.rejectUpgradeWith
        ? (_info: { req: IncomingMessage }, cb: (ok: boolean, code?: number) => void) =>
            cb(false, opts.rejectUpgradeWith)
        : undefined,
    });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    const server = new FakeCatalyst(wss, opts);
    wss.on('connection', (ws, req) => server.accept(ws, req));
    return server;
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/ws`;
  }

  get token(): string {
    return this.opts.token ?? 'secret';
  }

  get lastSeq(): number {
    return this.stored.at(-1)?.seq ?? 0;
  }

  /** The newest session (the client's current connection, once it has reconnected). */
  get current(): FakeSession | undefined {
    return this.sessions.at(-1);
  }

  /** Stores `count` signals and sends them to every subscribed session they match. */
  publish(count = 1, over: Partial<Signal> = {}): Signal[] {
    const made: Signal[] = [];
    for (let i = 0; i < count; i++) made.push(makeSignal(this.lastSeq + 1 + i, over));
    this.stored.push(...made);
    for (const s of this.sessions) for (const signal of made) this.deliver(s, signal);
    return made;
  }

  async close(): Promise<void> {
    for (const s of this.sessions) s.stopHeartbeats();
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    const session = new FakeSession(ws, req.url ?? '', req.headers.authorization);
    this.sessions.push(session);
    ws.on('message', (data) => this.onMessage(session, JSON.parse(data.toString()) as ClientMessage));
    ws.on('close', (code) => {
      session.endedWith = code;
      session.stopHeartbeats();
    });
    this.opts.onConnection?.(session);
    if (session.closedWith !== undefined || session.authorization === undefined) return;
    if (session.authorization === `Bearer ${this.token}`) this.welcome(session);
    else session.close(4401, 'bad token');
  }

  private welcome(session: FakeSession): void {
    session.authed = true;
    const heartbeatMs = this.opts.heartbeatMs ?? 30_000;
    session.send({
      type: 'welcome',
      client_id: session.path.split('/')[2] ?? 'anon',
      epoch: this.epoch,
      last_seq: this.lastSeq,
      heartbeat_ms: heartbeatMs,
    });
    if (this.opts.heartbeats) session.startHeartbeats(heartbeatMs, () => this.lastSeq);
  }

  private onMessage(session: FakeSession, m: ClientMessage): void {
    session.received.push(m);
    if (this.opts.onMessage?.(session, m)) return;
    if (!session.authed) {
      if (m.type === 'auth' && m.token === this.token) this.welcome(session);
      else session.close(4401, 'auth required');
      return;
    }
    if (m.type === 'subscribe') this.subscribe(session, m);
    else if (m.type === 'ping') session.send({ type: 'pong', ts: m.ts, last_seq: this.lastSeq });
  }

  private subscribe(session: FakeSession, m: ClientMessage): void {
    const filters = m.filters ?? {};
    const from = this.opts.replayFromOverride ?? m.since_seq;
    const replay = from === undefined ? [] : this.stored.filter((s) => s.seq > from && matches(filters, s));
    const subscribed = {
      type: 'subscribed',
      filters,
      replay: { from_seq: (from ?? this.lastSeq) + 1, to_seq: this.lastSeq, count: replay.length },
    };
    const frames = replay.map((signal) => ({ type: 'signal', seq: signal.seq, signal }));
    if (this.opts.batch) session.send([subscribed, ...frames]);
    else for (const f of [subscribed, ...frames]) session.send(f);
    session.filters = filters;
  }

  private deliver(session: FakeSession, signal: Signal): void {
    if (!session.filters || session.closedWith !== undefined || !matches(session.filters, signal)) return;
    session.send({ type: 'signal', seq: signal.seq, signal });
    const limit = this.opts.slowConsumerBytes;
    if (limit !== undefined && session.ws.bufferedAmount > limit) {
      // The close frame queues behind what is buffered; the client reads it once it resumes.
      session.close(4408, 'slow consumer');
    }
  }
}
