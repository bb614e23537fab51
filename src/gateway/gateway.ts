// The WebSocket gateway of one node: owns the sessions, fans the LiveFeed out (FanOut) through the
// SubscriptionIndex, sends heartbeats, disconnects revoked tokens and drains on shutdown.
import { ServerResponse } from 'node:http';
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
import { FanOut } from './fan-out.js';
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
    /** Per token, once authenticated (the per-address limits run before the upgrade). */
    connect(principal: Principal): Promise<boolean>;
    message(sessionId: string, count: number): Promise<boolean>;
    authFailed(address: string): Promise<void>;
  };
}

const CLIENT_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * @fastify/websocket routes an upgrade through a ServerResponse it assigns to the socket and never
 * ends, so that response kept its request, reply, request logger and headers for the whole life of
 * the connection (measured: about 3 KB per idle connection, bench/profiles/fanout.md). Nothing writes
 * to it after the upgrade: detach it so they can be collected. No onResponse hook ran for /ws
 * before this either (the response never finished), so no hook misses anything.
 */
function releaseUpgradeResponse(socket: Socket): void {
  const res = (socket as Socket & { _httpMessage?: unknown })._httpMessage;
  if (res instanceof ServerResponse) res.detachSocket(socket);
}

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
  private readonly fanOut: FanOut<Session>;
  private readonly byToken = new Map<string, Set<Session>>();
  /** Sessions that have not authenticated yet, and their count per client address. */
  private readonly pending = new Set<Session>();
  private readonly pendingByAddress = new Map<string, number>();
  private readonly timers: NodeJS.Timeout[] = [];
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
    const { onDelivered, onMessageSent } = this.events;
    this.fanOut = new FanOut<Session>({
      candidates: (signal) => this.index.candidates(signal),
      // Slices of a few milliseconds each on this machine (bench/profiles/fanout.md).
      sliceOffers: 8192,
      sliceWrites: 512,
      windowMs: 10,
      // Beyond 100 waiting signals, offering (cheap: no writes) runs at once in the feed's turn, as
      // fan-out did before slicing: a backlog of large signals must not cost memory (invariant 4).
      maxQueued: 100,
      onDelivered,
      onSent: onMessageSent && ((count) => onMessageSent('signal', count)),
    });
  }

  /** Entry point for every signal the LiveFeed hands out, in seq order. */
  dispatch(signal: Signal): void {
    this.fanOut.push(signal);
  }

  /** Highest seq whose fan-out is complete: live sessions have been sent everything up to it. */
  get sentSeq(): number {
    return this.fanOut.doneSeq;
  }

  /** WebSocket connections from `address` still waiting for their auth (capped before the upgrade). */
  unauthenticated(address: string): number {
    return this.pendingByAddress.get(address) ?? 0;
  }

  private settle(session: Session): void {
    if (!this.pending.delete(session)) return;
    const left = (this.pendingByAddress.get(session.remoteAddress) ?? 1) - 1;
    if (left > 0) this.pendingByAddress.set(session.remoteAddress, left);
    else this.pendingByAddress.delete(session.remoteAddress);
  }

  register(app: FastifyInstance): void {
    const handler = (
      ws: WebSocket,
      req: { params: unknown; headers: Record<string, unknown>; socket: Socket; ip: string },
    ) => {
      const clientId = (req.params as { client_id?: string }).client_id;
      if (clientId !== undefined && !CLIENT_ID.test(clientId)) {
        ws.close(Disconnects.bad_client_id.code, Disconnects.bad_client_id.reason);
        return;
      }
      const auth = req.headers.authorization as string | undefined;
      const token = auth === undefined ? undefined : (bearer(auth) ?? '');
      releaseUpgradeResponse(req.socket);
      // @fastify/websocket's own 'error' listener closes over the upgrade's request and reply (their
      // headers, request logger and response): about 3 KB per connection for its whole life. The
      // Session logs errors and terminates the same way (logWebSocketError) from here on.
      for (const listener of ws.listeners('error')) ws.off('error', listener as (err: Error) => void);
      const session = new Session(this, ws, req.socket, clientId, token, req.ip);
      this.sessions.add(session);
      if (session.mode === 'unauthenticated') {
        this.pending.add(session);
        this.pendingByAddress.set(req.ip, this.unauthenticated(req.ip) + 1);
      }
      this.events.onOpened?.(session);
    };
    app.get('/ws', { websocket: true }, (ws, req) => handler(ws, req as never));
    app.get('/ws/:client_id', { websocket: true }, (ws, req) => handler(ws, req as never));
  }

  start(): void {
    const beat = setInterval(
      () => {
        const now = performance.now();
        for (const s of this.sessions) s.heartbeat(now);
      },
      Math.max(50, Math.floor(this.config.heartbeatMs / 4)),
    );
    beat.unref();
    this.timers.push(beat);
  }

  /**
   * Closes every session of a revoked token on this node: at once for a REST revoke here, within a
   * poll for one anywhere else (the token cache's revocation polls call this).
   */
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

  /** Shutdown: hand out everything committed, then close every session with 1001 and wait for them. */
  async drain(timeoutMs: number): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    try {
      await this.feed.catchUp();
      await this.fanOut.idle();
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

  attach(session: Session, principal: Principal): Principal {
    this.settle(session);
    const hash = principal.tokenHash;
    let set = this.byToken.get(hash);
    if (!set) this.byToken.set(hash, (set = new Set()));
    // Sessions of one token share its Principal (the same token record): one object and hash string
    // per token, not per connection.
    const shared = set.values().next().value?.principal ?? principal;
    set.add(session);
    return shared;
  }

  detach(session: Session): void {
    this.settle(session);
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

  allowConnect(_session: Session, principal: Principal): Promise<boolean> {
    return this.deps.limits?.connect(principal) ?? Promise.resolve(true);
  }

  authFailed(session: Session): void {
    void this.deps.limits?.authFailed(session.remoteAddress);
  }

  allowMessages(session: Session, count: number): Promise<boolean> {
    return this.deps.limits?.message(session.id, count) ?? Promise.resolve(true);
  }
}
