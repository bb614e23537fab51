// The Catalyst subscriber client: one logical subscription carried over a succession of WebSocket
// connections. Its job is the delivery guarantee on the client side: resume from the last seq it
// took in, drop anything at or below it, notice when the history it was reading is gone (epoch),
// notice a dead connection (heartbeat watchdog), and never hold unbounded memory.
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { clientAction, CloseCodes } from '../domain/disconnects.js';
import type { Signal } from '../domain/signal.js';
import { Backoff, type BackoffKind } from './backoff.js';
import { parseFrame, type ServerMessage, type SignalMessage, type WelcomeMessage } from './frames.js';
import { SignalQueue } from './iterator.js';
import {
  type CatalystClientOptions,
  CatalystClientError,
  type ClientEvents,
  type Clock,
  type EpochChangePolicy,
  type PongResult,
  type Position,
} from './types.js';

/** A refused upgrade means what the matching close code means. */
const HTTP_STATUS_CLOSE: Record<number, number> = {
  401: CloseCodes.unauthorized,
  403: CloseCodes.forbidden,
  429: CloseCodes.rate_limited,
  503: CloseCodes.try_again_later,
};
const NORMAL_CLOSE = 1000;

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** What one WebSocket connection has got to; a reconnect starts a fresh one. */
interface Connection {
  ws: WebSocket;
  welcome: WelcomeMessage | undefined;
  subscribed: boolean;
  subscribedAt: number | undefined;
  /** since_seq of the last subscribe sent, to stop a replay-all that the server cannot honour. */
  sinceSeq: number | undefined;
  /** Set when the client itself ends the connection, to report why. */
  localReason: string | undefined;
  /** A signal was shed (queue full), so nothing later on this connection may be taken in. */
  shed: boolean;
  httpStatus: number | undefined;
  fatal: CatalystClientError | undefined;
  lastError: Error | undefined;
}

type State = 'idle' | 'connecting' | 'waiting' | 'closed';

export class CatalystClient extends EventEmitter<ClientEvents> {
  private readonly opts: CatalystClientOptions;
  private readonly clock: Clock;
  private readonly backoff: Backoff;
  private readonly policy: EpochChangePolicy;
  private readonly highWaterMark: number;
  private readonly heartbeatFactor: number;
  private readonly handshakeTimeoutMs: number;

  private state: State = 'idle';
  private conn: Connection | undefined;
  /** The history the seqs below belong to. */
  private epoch: string | undefined;
  /** Seq of the last signal taken in (delivered or queued): the resume point and duplicate bar. */
  private receivedSeq: number | undefined;
  /** Seq of the last signal handed to the application. */
  private deliveredSeq: number | undefined;
  private queue: SignalQueue<Signal> | undefined;
  private everSubscribed = false;
  private connectWaiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private closeWaiters: Array<() => void> = [];
  private pings = new Map<
    number,
    { resolve: (p: PongResult) => void; reject: (e: unknown) => void; timer: unknown }
  >();
  private reconnectTimer: unknown;
  private watchdogTimer: unknown;
  private handshakeTimer: unknown;
  /** A reconnect is due but waits for the iterator's queue to drain first. */
  private reconnectOnDrain = false;
  private attempt = 0;
  private fatalError: CatalystClientError | undefined;

  constructor(opts: CatalystClientOptions) {
    super();
    if (!/^wss?:\/\//i.test(opts.url)) throw new TypeError('url must start with ws:// or wss://');
    this.opts = opts;
    this.clock = opts.clock ?? realClock;
    this.backoff = new Backoff(opts.reconnect, opts.random);
    this.policy = opts.onEpochChange ?? 'live-only';
    this.highWaterMark = Math.max(1, opts.highWaterMark ?? 1000);
    this.heartbeatFactor = opts.heartbeatTimeoutFactor ?? 2.5;
    this.handshakeTimeoutMs = opts.handshakeTimeoutMs ?? 10_000;
    if (opts.position) {
      this.epoch = opts.position.epoch;
      this.receivedSeq = this.deliveredSeq = opts.position.seq;
    }
  }

  /** The resume point to persist: the last signal delivered to the application and its epoch. */
  get position(): Position | undefined {
    if (this.epoch === undefined || this.deliveredSeq === undefined) return undefined;
    return { epoch: this.epoch, seq: this.deliveredSeq };
  }

  /** Signals buffered for the iterator, not yet delivered. Never above `highWaterMark`. */
  get queued(): number {
    return this.queue?.length ?? 0;
  }

  /** True while reading from the socket is paused because the iterator's consumer is behind. */
  get paused(): boolean {
    return this.conn?.ws.isPaused ?? false;
  }

  /** True while subscribed on a live connection. */
  get connected(): boolean {
    return this.conn?.subscribed ?? false;
  }

  /**
   * Resolves once the first connection is authenticated and subscribed. Failed attempts before that
   * are retried like any reconnect; it rejects only on a fatal error or `close()`.
   */
  connect(): Promise<void> {
    if (this.fatalError) return Promise.reject(this.fatalError);
    if (this.state === 'closed') return Promise.reject(new Error('the client is closed'));
    if (this.everSubscribed) return Promise.resolve();
    const p = new Promise<void>((resolve, reject) => this.connectWaiters.push({ resolve, reject }));
    if (this.state === 'idle') this.open();
    return p;
  }

  /**
   * The signals as an async iterator, in seq order, each once. Connects if not yet connected. A
   * signal counts as delivered (and `position` moves) when the iterator yields it. At most one
   * iterator at a time; leaving the loop early (`break`) closes the client.
   */
  signals(): AsyncIterableIterator<Signal> {
    if (this.queue) throw new Error('signals() is already being iterated; one iterator per client');
    const queue = new SignalQueue<Signal>(this.highWaterMark, {
      onDeliver: (s) => this.deliver(s),
      onDrain: () => this.onDrain(),
      onReturn: () => void this.close(),
    });
    this.queue = queue;
    if (this.state === 'closed') queue.end(this.fatalError);
    else if (this.state === 'idle') this.connect().catch(() => {}); // the iterator reports it
    return queue;
  }

  /** Sends a protocol ping; resolves with the pong and the round trip. */
  ping(timeoutMs = 5000): Promise<PongResult> {
    const ws = this.conn?.welcome ? this.conn.ws : undefined;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new Error('not connected'));
    let ts = this.clock.now();
    while (this.pings.has(ts)) ts++; // the server echoes ts, so it must name one ping
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.pings.delete(ts);
        reject(new Error(`no pong within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pings.set(ts, { resolve, reject, timer });
      ws.send(JSON.stringify({ type: 'ping', ts }));
    });
  }

  /** Stops reconnecting, closes the connection with 1000 and ends the iterator. */
  close(): Promise<void> {
    if (this.state !== 'closed') this.shutdown(undefined);
    if (!this.conn) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  /** Read through a getter so that checks after an emit (whose listener may close) are not narrowed away. */
  private get closed(): boolean {
    return this.state === 'closed';
  }

  /** Whether messages of this connection still count: it is current, open, and has shed nothing. */
  private reading(conn: Connection): boolean {
    return this.conn === conn && !conn.shed && !this.closed;
  }

  // --- connection lifecycle ---------------------------------------------------------------------

  private endpoint(): string {
    const base = this.opts.url.replace(/\/+$/, '');
    return this.opts.clientId ? `${base}/${encodeURIComponent(this.opts.clientId)}` : base;
  }

  private open(): void {
    this.state = 'connecting';
    if (this.attempt++ > 0) this.emit('reconnecting', { attempt: this.attempt - 1 });
    const headers: Record<string, string> =
      this.opts.authVia === 'header' ? { Authorization: `Bearer ${this.opts.token}` } : {};
    const ws = new WebSocket(this.endpoint(), {
      headers,
      ca: this.opts.ca,
      handshakeTimeout: this.handshakeTimeoutMs,
    });
    const conn: Connection = {
      ws,
      welcome: undefined,
      subscribed: false,
      subscribedAt: undefined,
      sinceSeq: undefined,
      localReason: undefined,
      shed: false,
      httpStatus: undefined,
      fatal: undefined,
      lastError: undefined,
    };
    this.conn = conn;
    this.handshakeTimer = this.clock.setTimeout(
      () => this.drop(conn, 'no welcome and subscribed in time'),
      this.handshakeTimeoutMs,
    );
    ws.on('open', () => {
      if (this.opts.authVia !== 'header') this.send(conn, { type: 'auth', token: this.opts.token });
    });
    ws.on('unexpected-response', (_req, res) => {
      conn.httpStatus = res.statusCode;
      ws.terminate();
    });
    ws.on('message', (data) => this.onFrame(conn, data.toString()));
    ws.on('error', (err) => (conn.lastError = err)); // a close event always follows
    ws.on('close', (code, reason) => this.onClose(conn, code, reason.toString()));
  }

  /** Ends a connection from this side; the close handler then decides about reconnecting. */
  private drop(conn: Connection, reason: string): void {
    conn.localReason ??= reason;
    conn.ws.terminate();
  }

  private onClose(conn: Connection, wsCode: number, wsReason: string): void {
    if (this.conn !== conn) return; // only the current connection decides about reconnecting
    this.clock.clearTimeout(this.handshakeTimer);
    this.clock.clearTimeout(this.watchdogTimer);
    this.conn = undefined;
    for (const [ts, p] of this.pings) {
      this.clock.clearTimeout(p.timer);
      p.reject(new Error('connection closed before the pong'));
      this.pings.delete(ts);
    }
    const code = (conn.httpStatus && HTTP_STATUS_CLOSE[conn.httpStatus]) || wsCode;
    const reason =
      conn.localReason ??
      (conn.httpStatus
        ? `upgrade refused with HTTP ${conn.httpStatus}`
        : wsReason || conn.lastError?.message || '');
    if (this.state === 'closed') {
      this.emit('disconnected', { code, reason, willReconnect: false, delayMs: undefined });
      for (const resolve of this.closeWaiters.splice(0)) resolve();
      return;
    }
    const fatal =
      conn.fatal ??
      (clientAction(code) === 'stop'
        ? new CatalystClientError(closeMessage(code, reason), code, true)
        : undefined);
    if (fatal) {
      this.emit('disconnected', { code, reason, willReconnect: false, delayMs: undefined });
      this.shutdown(fatal);
      return;
    }
    // A connection that stayed healthy long enough earns a fresh start on the backoff.
    if (
      conn.subscribedAt !== undefined &&
      this.clock.now() - conn.subscribedAt >= this.backoff.healthyAfterMs
    ) {
      this.backoff.reset();
    }
    const kind: BackoffKind = clientAction(code) === 'resume_after_backoff' ? 'throttled' : 'normal';
    // After shedding, the wait is for the consumer, not the server: reconnect as soon as it drains.
    const delayMs = conn.shed ? 0 : this.backoff.next(kind);
    this.emit('disconnected', { code, reason, willReconnect: true, delayMs });
    if (this.closed) return; // a listener closed the client
    this.state = 'waiting';
    this.reconnectTimer = this.clock.setTimeout(() => {
      if (this.queue?.isBackedUp) this.reconnectOnDrain = true;
      else this.open();
    }, delayMs);
  }

  /** Ends the client: on close() without an error, on a fatal error with one. */
  private shutdown(error: CatalystClientError | undefined): void {
    this.state = 'closed';
    this.fatalError = error;
    this.clock.clearTimeout(this.reconnectTimer);
    this.clock.clearTimeout(this.watchdogTimer);
    this.clock.clearTimeout(this.handshakeTimer);
    const conn = this.conn;
    if (conn) {
      // A paused socket cannot read the server's half of the closing handshake.
      if (conn.ws.isPaused) conn.ws.resume();
      if (conn.ws.readyState === WebSocket.OPEN) conn.ws.close(NORMAL_CLOSE);
      else if (conn.ws.readyState === WebSocket.CONNECTING) conn.ws.terminate();
    }
    const failure = error ?? new Error('the client was closed');
    for (const w of this.connectWaiters.splice(0)) w.reject(failure);
    this.queue?.end(error);
    // 'error' is the only channel of a callback user; without a listener EventEmitter would throw
    // from inside a socket callback, so iterator and connect() users learn of it their own way.
    if (error && this.listenerCount('error') > 0) this.emit('error', error);
  }

  // --- frames -----------------------------------------------------------------------------------

  private onFrame(conn: Connection, text: string): void {
    if (!this.reading(conn)) return;
    let messages;
    try {
      messages = parseFrame(text);
    } catch (err) {
      // An unreadable frame may have held a signal: resume rather than skip past it.
      this.drop(conn, (err as Error).message);
      return;
    }
    if (conn.welcome) this.armWatchdog(conn);
    for (const m of messages) {
      this.onMessage(conn, m as ServerMessage);
      if (!this.reading(conn)) return;
    }
  }

  private onMessage(conn: Connection, m: ServerMessage): void {
    switch (m.type) {
      case 'welcome':
        return this.onWelcome(conn, m);
      case 'subscribed':
        if (!conn.subscribed) {
          conn.subscribed = true;
          conn.subscribedAt = this.clock.now();
          this.clock.clearTimeout(this.handshakeTimer);
          this.everSubscribed = true;
          for (const w of this.connectWaiters.splice(0)) w.resolve();
        }
        this.emit('subscribed', m);
        return;
      case 'signal':
        return this.onSignal(conn, m);
      case 'reset':
        this.startOver(m.epoch, m.last_seq, 'server_reset', conn.sinceSeq === 0);
        return this.subscribe(conn);
      case 'pong': {
        const p = this.pings.get(m.ts);
        if (!p) return;
        this.pings.delete(m.ts);
        this.clock.clearTimeout(p.timer);
        p.resolve({ ts: m.ts, last_seq: m.last_seq, rttMs: this.clock.now() - m.ts });
        return;
      }
      case 'error':
        return this.onServerError(conn, m.code, m.message);
      // heartbeat: its arrival already fed the watchdog; a last_seq above ours only means the
      // signals in between did not match our filters.
    }
  }

  private onWelcome(conn: Connection, m: WelcomeMessage): void {
    conn.welcome = m;
    if (this.epoch === '') {
      // A position given as a bare seq (`catalyst subscribe --since-seq N`) names no history: it
      // belongs to whatever history this server serves, so adopt its epoch and keep the seq.
      this.epoch = m.epoch;
    } else if (this.epoch === undefined) {
      // A first connection without a saved position starts at the stream's head; naming that seq
      // in the subscribe leaves no window between welcome and subscribe in which a signal is lost.
      this.epoch = m.epoch;
      this.receivedSeq = this.deliveredSeq = m.last_seq;
    } else if (m.epoch !== this.epoch) {
      this.startOver(m.epoch, m.last_seq, 'epoch_changed', false);
    }
    this.emit('welcome', m);
    if (!this.reading(conn)) return; // a listener closed the client
    this.armWatchdog(conn);
    this.subscribe(conn);
  }

  /**
   * The history our seqs belong to is gone (new epoch) or out of reach: what is queued belonged to
   * it and is dropped, and the stream restarts where the policy says.
   */
  private startOver(
    epoch: string,
    lastSeq: number,
    reason: 'epoch_changed' | 'server_reset',
    triedReplay: boolean,
  ) {
    const previous = this.position;
    // Replaying "everything" that the server just refused (a reset answering since_seq 0) would loop.
    const start = this.policy === 'replay-all' && !triedReplay ? 0 : lastSeq;
    this.epoch = epoch;
    this.receivedSeq = this.deliveredSeq = start;
    this.queue?.clear();
    this.emit('reset', { epoch, last_seq: lastSeq, reason, previous });
  }

  private subscribe(conn: Connection): void {
    conn.sinceSeq = this.receivedSeq;
    this.send(conn, {
      type: 'subscribe',
      filters: this.opts.filters ?? {},
      since_seq: this.receivedSeq,
      epoch: this.epoch,
    });
  }

  private onSignal(conn: Connection, m: SignalMessage): void {
    if (this.receivedSeq !== undefined && m.seq <= this.receivedSeq) return; // duplicate after a resume
    const signal: Signal = m.signal.seq === m.seq ? m.signal : { ...m.signal, seq: m.seq };
    if (!this.queue) {
      this.receivedSeq = m.seq;
      this.deliver(signal);
      return;
    }
    if (!this.queue.push(signal)) {
      // ws emits what it had already read even after pause(); when that overruns the headroom, drop
      // the connection and resume from the last queued seq once the consumer catches up.
      conn.shed = true;
      this.drop(conn, 'client queue full');
      return;
    }
    this.receivedSeq = m.seq;
    if (this.queue.isBackedUp && !conn.ws.isPaused) {
      // Stop reading: TCP pushes back to the server, whose slow-consumer policy (close 4408) decides.
      conn.ws.pause();
      this.clock.clearTimeout(this.watchdogTimer); // silence is ours now, not the server's
    }
  }

  private onServerError(conn: Connection, code: string, message: string): void {
    // Before `subscribed`, an invalid request is our auth or subscribe (bad filters): every retry
    // would be refused the same way, so it ends the client instead of looping.
    const fatal = !conn.subscribed && code === 'invalid_request';
    const error = new CatalystClientError(`server error ${code}: ${message}`, code, fatal);
    if (fatal) {
      conn.fatal = error;
      this.shutdown(error);
    } else if (this.listenerCount('error') > 0) {
      this.emit('error', error);
    }
  }

  private deliver(signal: Signal): void {
    this.deliveredSeq = signal.seq;
    try {
      this.emit('signal', signal);
    } catch (err) {
      // A throwing listener must not cut a batched frame short (the rest would be lost for this
      // connection); the error still surfaces as an uncaught exception, as EventEmitter's would.
      process.nextTick(() => {
        throw err;
      });
    }
  }

  private onDrain(): void {
    const conn = this.conn;
    if (conn && conn.ws.isPaused) {
      conn.ws.resume();
      this.armWatchdog(conn);
    }
    if (this.reconnectOnDrain && this.state === 'waiting') {
      this.reconnectOnDrain = false;
      this.open();
    }
  }

  /** Any frame proves the connection alive; none for factor x heartbeat_ms proves it dead. */
  private armWatchdog(conn: Connection): void {
    this.clock.clearTimeout(this.watchdogTimer);
    const heartbeatMs = conn.welcome?.heartbeat_ms ?? 0;
    if (heartbeatMs <= 0 || conn.ws.isPaused) return;
    const timeoutMs = heartbeatMs * this.heartbeatFactor;
    this.watchdogTimer = this.clock.setTimeout(
      () => this.drop(conn, `no frame for ${timeoutMs} ms`),
      timeoutMs,
    );
  }

  private send(conn: Connection, message: object): void {
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(JSON.stringify(message));
  }
}

function closeMessage(code: number, reason: string): string {
  const what =
    code === CloseCodes.unauthorized
      ? 'unauthorized'
      : code === CloseCodes.forbidden
        ? 'forbidden'
        : 'closed';
  return `connection ${what} (${code}${reason ? `: ${reason}` : ''})`;
}
