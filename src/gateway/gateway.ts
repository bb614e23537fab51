// The WebSocket gateway of one node: owns the sessions, fans the LiveFeed out through the
// SubscriptionIndex, sends heartbeats, disconnects revoked tokens and drains on shutdown.
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { bearer, type Principal } from '../auth/tokens.js';
import type { Config } from '../config.js';
import { Disconnects } from '../domain/disconnects.js';
import type { SignalFilter } from '../domain/filter.js';
import type { Signal } from '../domain/signal.js';
import type { EventStore } from '../store/event-store.js';
import type { TokenStore } from '../store/token-store.js';
import type { GatewayContext, GatewayEvents } from './context.js';
import type { LiveFeed } from './live-feed.js';
import { signalFrame } from './messages.js';
import { Session } from './session.js';
import { SubscriptionIndex } from './subscription-index.js';

export interface GatewayDeps {
  config: Config['gateway'];
  store: EventStore;
  tokens: TokenStore;
  feed: LiveFeed;
  epoch: string;
  log: Logger;
  events?: GatewayEvents;
  limits?: {
    connect(ip: string, principal: Principal): Promise<boolean>;
    message(sessionId: string): Promise<boolean>;
  };
}

const CLIENT_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

export class Gateway implements GatewayContext {
  readonly config: Config['gateway'];
  readonly store: EventStore;
  readonly tokens: TokenStore;
  readonly feed: LiveFeed;
  readonly epoch: string;
  readonly log: Logger;
  readonly events: GatewayEvents;
  readonly sessions = new Set<Session>();
  private readonly index = new SubscriptionIndex<Session>();
  private readonly byToken = new Map<string, Set<Session>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private revocationCursor = new Date().toISOString();
  private readonly deps: GatewayDeps;

  constructor(deps: GatewayDeps) {
    this.deps = deps;
    this.config = deps.config;
    this.store = deps.store;
    this.tokens = deps.tokens;
    this.feed = deps.feed;
    this.epoch = deps.epoch;
    this.log = deps.log;
    this.events = deps.events ?? {};
  }

  /** Entry point for every signal the LiveFeed hands out, in seq order. */
  dispatch(signal: Signal): void {
    // Serialised once for all the sessions it matches, and only if one does.
    let text: string | undefined;
    const frame = () => (text ??= signalFrame(signal));
    for (const s of this.index.candidates(signal.ticker)) s.offer(signal, frame);
  }

  register(app: FastifyInstance): void {
    const handler = (
      ws: WebSocket,
      req: { params: unknown; headers: Record<string, unknown>; socket: Socket },
    ) => {
      const clientId = (req.params as { client_id?: string }).client_id;
      if (clientId !== undefined && !CLIENT_ID.test(clientId)) {
        ws.close(Disconnects.bad_client_id.code, Disconnects.bad_client_id.reason);
        return;
      }
      const auth = req.headers.authorization as string | undefined;
      const token = auth === undefined ? undefined : (bearer(auth) ?? '');
      const session = new Session(this, ws, req.socket, clientId, token);
      this.sessions.add(session);
      this.events.onOpened?.(session);
    };
    app.get('/ws', { websocket: true }, (ws, req) => handler(ws, req as never));
    app.get('/ws/:client_id', { websocket: true }, (ws, req) => handler(ws, req as never));
  }

  start(): void {
    const beat = setInterval(
      () => {
        const now = Date.now();
        for (const s of this.sessions) s.heartbeat(now);
      },
      Math.max(50, Math.floor(this.config.heartbeatMs / 4)),
    );
    const revoke = setInterval(() => void this.pollRevocations(), this.config.revocationPollMs);
    for (const t of [beat, revoke]) {
      t.unref();
      this.timers.push(t);
    }
  }

  /** Closes every session of a revoked token on this node at once (REST revoke on this node). */
  revoke(tokenHash: string): void {
    for (const s of this.byToken.get(tokenHash) ?? []) s.close(Disconnects.token_revoked);
  }

  /** Bytes queued across this node's sessions (the send-buffer gauge). */
  bufferedBytes(): number {
    let total = 0;
    for (const s of this.sessions) total += s.bufferedBytes;
    return total;
  }

  revokeName(name: string): void {
    for (const s of [...this.sessions]) {
      if (s.principal?.name === name) s.close(Disconnects.token_revoked);
    }
  }

  private async pollRevocations(): Promise<void> {
    // Overlap the window: a revocation committed on another node just before our cursor still counts.
    const since = new Date(Date.parse(this.revocationCursor) - 2000).toISOString();
    const cursor = new Date().toISOString();
    try {
      const hashes = await this.tokens.revokedSince(since);
      this.revocationCursor = cursor;
      for (const h of hashes) this.revoke(h);
    } catch (err) {
      this.log.debug({ err }, 'revocation poll failed');
    }
  }

  /** Shutdown: hand out everything committed, then close every session with 1001 and wait for them. */
  async drain(timeoutMs: number): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    try {
      await this.feed.catchUp();
    } catch (err) {
      this.log.warn({ err }, 'final catch-up failed; clients will resume from their last seq');
    }
    const sessions = [...this.sessions];
    const closed = sessions.map(
      (s) =>
        new Promise<void>((resolve) =>
          s.ws.readyState === s.ws.CLOSED ? resolve() : s.ws.once('close', () => resolve()),
        ),
    );
    for (const s of sessions) s.close(Disconnects.shutting_down);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(closed), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    for (const s of sessions) s.ws.terminate();
  }

  attach(session: Session): void {
    const hash = session.principal?.tokenHash;
    if (!hash) return;
    let set = this.byToken.get(hash);
    if (!set) this.byToken.set(hash, (set = new Set()));
    set.add(session);
  }

  detach(session: Session): void {
    this.sessions.delete(session);
    this.index.delete(session);
    const hash = session.principal?.tokenHash;
    if (!hash) return;
    const set = this.byToken.get(hash);
    set?.delete(session);
    if (set?.size === 0) this.byToken.delete(hash);
  }

  subscribe(session: Session, filter: SignalFilter): void {
    this.index.set(session, filter);
  }

  unsubscribe(session: Session): void {
    this.index.delete(session);
  }

  allowConnect(session: Session, principal: Principal): Promise<boolean> {
    return this.deps.limits?.connect(session.remoteAddress, principal) ?? Promise.resolve(true);
  }

  allowMessage(session: Session): Promise<boolean> {
    return this.deps.limits?.message(session.id) ?? Promise.resolve(true);
  }
}
