// One WebSocket subscriber's connection state: auth (timer, held messages), the current
// subscription, heartbeats and the send buffer. Where it stands in the stream, and the switch from
// replay to live that makes a resume exactly once and in order, is its ReplayCursor's job.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { authenticate, hasScope, type Principal } from '../auth/tokens.js';
import { Disconnects, type Disconnect } from '../domain/disconnects.js';
import { CatalystError } from '../domain/errors.js';
import { matches, type SignalFilter } from '../domain/filter.js';
import type { Signal } from '../domain/signal.js';
import { type Logger, logWebSocketError, sessionLogger } from '../observability/logger.js';
import type { GatewayContext } from './context.js';
import {
  type ClientMessage,
  joinFrame,
  parseClientMessage,
  parseFrame,
  replayFrames,
  wireFrame,
} from './messages.js';
import { ReplayCursor, type ReplaySource } from './replay-cursor.js';

type Mode = 'unauthenticated' | 'idle' | 'subscribed' | 'closing';

/** At most one frame's worth of messages is held while a token is checked. */
const MAX_HELD = 100;
/** Live signals taken in one turn are written together, in frames of about this size at most. */
const COALESCE_BYTES = 64 * 1024;

/** A session's socket knows its session, for the shared listeners. */
const SESSION = Symbol('session');
type Tagged = WebSocket & { [SESSION]: Session };

export class Session {
  readonly id = randomUUID();
  /** Every line this session logs carries its session_id (made on first use: most sessions never log). */
  private logger: Logger | undefined;
  readonly clientId: string;
  readonly remoteAddress: string;
  principal: Principal | undefined;
  filter: SignalFilter = {};
  mode: Mode = 'unauthenticated';
  /** The latest subscription's position (kept after an unsubscribe); undefined before the first. */
  private cursor: ReplayCursor | undefined;
  /** performance.now() of the last write: intervals run on the monotonic clock, not the wall clock. */
  lastSentAt = performance.now();
  private badMessages = 0;
  /** Bumped by every subscribe, so a superseded replay stops. */
  private generation = 0;
  private authTimer: NodeJS.Timeout | undefined;
  private authenticating = false;
  /** Messages that arrived while the token was being checked. */
  private held: ClientMessage[] | undefined;
  /**
   * The last frame still waiting for its rate-limit check: each frame is handled after the one before
   * it, whatever order the checks answer in (a shared limiter's calls may, when one is retried).
   */
  private inbound: Promise<void> | undefined;
  /** Live signal messages taken since the last flush, serialised, and their length. */
  private outbox: string[] | undefined;
  private outboxBytes = 0;
  /** The outbox's lone signal as a whole frame, shared with every session it goes to alone. */
  private outboxWire: (() => Buffer) | undefined;

  constructor(
    private readonly ctx: GatewayContext,
    readonly ws: WebSocket,
    private readonly socket: Socket,
    clientId: string | undefined,
    authorization: string | undefined,
    /** The client's address (behind a trusted proxy, the one it forwarded), for per-address limits. */
    remoteAddress = socket.remoteAddress ?? '',
  ) {
    this.clientId = clientId ?? randomUUID();
    this.remoteAddress = remoteAddress;
    (ws as Tagged)[SESSION] = this;
    ws.on('message', Session.onMessage);
    ws.on('close', Session.onClose);
    ws.on('error', Session.onError);
    if (authorization !== undefined) void this.authenticate(authorization);
    else {
      this.authTimer = setTimeout(() => this.close(Disconnects.auth_timeout), ctx.config.authTimeoutMs);
    }
  }

  // The socket's listeners are shared (`this` is the socket), not three closures per session.
  private static onMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
    (this as Tagged)[SESSION].onFrame(data, isBinary);
  }

  private static onClose(this: WebSocket, code: number): void {
    (this as Tagged)[SESSION].onClosed(code);
  }

  private static onError(this: WebSocket, err: Error): void {
    logWebSocketError((this as Tagged)[SESSION].log, err);
    this.terminate();
  }

  private get log(): Logger {
    return (this.logger ??= sessionLogger(this.ctx.log, this.id, { client_id: this.clientId }));
  }

  get bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  /**
   * The fan-out offers every signal this session's index entry may want; true when taken. A taken
   * signal waits in the outbox until flush() (the fan-out's end of slice), unless the outbox is full.
   */
  offer(signal: Signal, text: () => string, wire?: () => Buffer): boolean {
    if (this.mode !== 'subscribed' || !this.cursor?.accept(signal)) return false;
    if (!matches(this.filter, signal)) return false;
    const message = text();
    const outbox = (this.outbox ??= []);
    this.outboxWire = outbox.length === 0 ? wire : undefined;
    outbox.push(message);
    this.outboxBytes += message.length;
    if (this.outboxBytes >= COALESCE_BYTES) this.flushTaken();
    return true;
  }

  /** Writes the outbox as one frame (a single object when one signal is due); returns its count. */
  flush(): number {
    const outbox = this.outbox;
    if (!outbox || outbox.length === 0) return 0;
    const count = outbox.length;
    const frame = joinFrame(outbox);
    // Several signals: this session's own array, framed here as ws would (one write, not ws.send's
    // encode, header and two-buffer writev); it is how most frames go out once the fan-out is behind.
    const wire = count === 1 ? this.outboxWire : () => wireFrame(frame);
    outbox.length = 0;
    this.outboxBytes = 0;
    this.outboxWire = undefined;
    if (this.mode === 'closing') return 0;
    this.write(frame, wire);
    return count;
  }

  /** flush() outside the fan-out's slice, which counts what it flushes itself. */
  private flushTaken(): void {
    const count = this.flush();
    if (count > 0) this.ctx.events.onMessageSent?.('signal', count);
  }

  /** `now` is performance.now(): a wall-clock step must not silence heartbeats (the client's watchdog). */
  heartbeat(now: number): void {
    if (this.mode === 'unauthenticated' || this.mode === 'closing') return;
    if (now - this.lastSentAt < this.ctx.config.heartbeatMs) return;
    this.send({ type: 'heartbeat', last_seq: this.streamPosition(), ts: Date.now() });
  }

  /**
   * Where this session stands in the stream: everything matching up to here has been sent. Live,
   * that is as far as the fan-out has written (the feed may be ahead of it), or further if the replay
   * went further.
   */
  private streamPosition(): number {
    const position = this.cursor?.position ?? 0;
    if (this.mode === 'subscribed' && this.cursor?.live) return Math.max(position, this.ctx.sentSeq);
    return position;
  }

  private get replaying(): boolean {
    return this.mode === 'subscribed' && this.cursor?.live === false;
  }

  close(disconnect: Disconnect): void {
    if (this.mode === 'closing') return;
    const { code, reason } = disconnect;
    // What was taken goes out before the close (a drain promises it), unless memory is the reason.
    if (disconnect !== Disconnects.slow_consumer) this.flushTaken();
    if ((this.mode as Mode) === 'closing') return;
    this.mode = 'closing';
    this.outbox = undefined;
    this.ctx.detach(this);
    clearTimeout(this.authTimer);
    this.ws.close(code, reason);
    // A peer that stopped reading never acknowledges the close: do not hold its memory for long.
    setTimeout(() => this.ws.terminate(), 5000).unref();
  }

  /**
   * Sends one message, an array of them, or a frame already serialised (`count` messages), after the
   * live signals already taken: nothing overtakes them (a heartbeat's last_seq covers them).
   */
  private send(msg: object | object[] | string, count = Array.isArray(msg) ? msg.length : 1): void {
    if (this.mode === 'closing') return;
    this.flushTaken();
    if ((this.mode as Mode) === 'closing') return;
    this.write(typeof msg === 'string' ? msg : JSON.stringify(msg));
    // Pre-serialised frames and arrays are signal frames; everything else names its own type.
    const type =
      typeof msg === 'string' || Array.isArray(msg) ? 'signal' : String((msg as { type?: unknown }).type);
    this.ctx.events.onMessageSent?.(type, count);
  }

  /**
   * One frame to the socket, `wire` being the same already framed when there is one; past the send
   * buffer the session is a slow consumer (4408).
   */
  private write(frame: string, wire?: () => Buffer): void {
    // The pre-framed Buffer goes straight to the socket only when `ws` would have written this frame
    // at once, as is, itself: open, nothing queued in its Sender, no extension negotiated.
    const sender = (this.ws as unknown as { _sender?: { _state?: number } })._sender;
    if (wire && this.ws.readyState === this.ws.OPEN && sender?._state === 0 && this.ws.extensions === '') {
      this.socket.write(wire());
    } else this.ws.send(frame);
    this.lastSentAt = performance.now();
    if (this.ws.bufferedAmount > this.ctx.config.sendBufferBytes) {
      this.ctx.events.onSlowConsumer?.(this);
      this.close(Disconnects.slow_consumer);
    }
  }

  private sendError(err: CatalystError): void {
    const body: Record<string, unknown> = { type: 'error', code: err.code, message: err.message };
    if (err.field !== undefined) body.field = err.field;
    this.send(body);
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (this.mode === 'closing') return;
    let messages: unknown[];
    try {
      if (isBinary)
        throw new CatalystError('invalid_request', 'binary frames are not supported; send JSON text');
      messages = parseFrame(data.toString('utf8'));
    } catch (err) {
      return this.badMessage(err);
    }
    // Counted per message, not per frame: one frame may carry a whole array of them.
    const allowed = this.ctx.allowMessages(this, Math.max(1, messages.length));
    const turn: Promise<void> = (this.inbound ?? Promise.resolve()).then(async () => {
      const ok = await allowed;
      if (this.inbound === turn) this.inbound = undefined;
      if (!ok) return this.close(Disconnects.too_many_messages);
      for (const raw of messages) {
        if (this.mode === 'closing') return;
        let msg: ClientMessage;
        try {
          msg = parseClientMessage(raw);
        } catch (err) {
          this.badMessage(err);
          continue;
        }
        this.badMessages = 0;
        this.handle(msg);
      }
    });
    this.inbound = turn;
  }

  private badMessage(err: unknown): void {
    if (!(err instanceof CatalystError)) throw err;
    this.badMessages += 1;
    this.sendError(err);
    if (this.badMessages >= this.ctx.config.maxBadMessages) this.close(Disconnects.too_many_bad_messages);
  }

  private handle(msg: ClientMessage): void {
    if (msg.type === 'ping') {
      this.send({ type: 'pong', ts: msg.ts, last_seq: this.streamPosition() });
      return;
    }
    if (msg.type === 'auth') {
      if (this.principal || this.authenticating) {
        this.sendError(new CatalystError('invalid_request', 'already authenticated', { field: 'type' }));
        return;
      }
      void this.authenticate(msg.token);
      return;
    }
    if (!this.principal) {
      // Sent right behind the auth (or an Authorization header) without waiting for the welcome:
      // handled once the token checks out, in order.
      if (this.authenticating && (this.held?.length ?? 0) < MAX_HELD) {
        (this.held ??= []).push(msg);
        return;
      }
      this.close(Disconnects.authenticate_first);
      return;
    }
    if (msg.type === 'unsubscribe') {
      this.generation += 1;
      this.mode = 'idle';
      this.ctx.unsubscribe(this);
      this.send({ type: 'unsubscribed' });
      return;
    }
    void this.subscribe(msg.filters, msg.since_seq, msg.epoch);
  }

  private async authenticate(token: string): Promise<void> {
    this.authenticating = true;
    clearTimeout(this.authTimer);
    let principal: Principal | undefined;
    try {
      principal = await authenticate(this.ctx.tokens, token);
    } catch (err) {
      this.log.warn({ err }, 'token lookup failed');
      return this.close(Disconnects.store_unavailable);
    }
    if (this.mode === 'closing') return;
    if (!principal) {
      this.ctx.authFailed(this);
      return this.close(Disconnects.invalid_token);
    }
    if (!hasScope(principal, 'subscribe')) return this.close(Disconnects.missing_scope);
    if (!(await this.ctx.allowConnect(this, principal))) return this.close(Disconnects.too_many_connects);
    this.principal = this.ctx.attach(this, principal);
    this.mode = 'idle';
    this.send({
      type: 'welcome',
      client_id: this.clientId,
      session_id: this.id,
      epoch: this.ctx.epoch,
      last_seq: this.ctx.feed.lastSeq,
      heartbeat_ms: this.ctx.config.heartbeatMs,
    });
    const held = this.held ?? [];
    this.held = undefined;
    for (const msg of held) if ((this.mode as Mode) !== 'closing') this.handle(msg);
  }

  private async subscribe(filter: SignalFilter, sinceSeq: number | undefined, epoch: string | undefined) {
    const generation = ++this.generation;
    this.filter = filter;
    this.ctx.subscribe(this, filter);
    const source = new FilteredStore(this.ctx, filter);
    const head = source.lastSeq;
    if (sinceSeq === undefined) {
      this.cursor = ReplayCursor.live(source, this.ctx.config.replayPageSize);
      this.mode = 'subscribed';
      this.send({
        type: 'subscribed',
        filters: filter,
        replay: { from_seq: head + 1, to_seq: head, count: 0 },
      });
      return;
    }
    if ((epoch !== undefined && epoch !== this.ctx.epoch) || sinceSeq > head) {
      // The client's position belongs to another history (or a future this store never had).
      this.mode = 'idle';
      this.ctx.unsubscribe(this);
      this.send({ type: 'reset', epoch: this.ctx.epoch, last_seq: head });
      return;
    }
    const cursor = new ReplayCursor(source, sinceSeq, this.ctx.config.replayPageSize);
    this.cursor = cursor;
    this.mode = 'subscribed';
    try {
      const count = await this.ctx.store.count({ afterSeq: sinceSeq, uptoSeq: head, filter });
      if (this.superseded(generation)) return;
      this.send({
        type: 'subscribed',
        filters: filter,
        replay: { from_seq: sinceSeq + 1, to_seq: head, count },
      });
      this.ctx.events.onReplay?.(count);
      for await (const rows of cursor.pages()) {
        if (this.superseded(generation) || !(await this.sendPaced(rows, generation))) return;
      }
    } catch (err) {
      if (generation !== this.generation) return;
      this.log.warn({ err }, 'replay failed');
      this.close(Disconnects.replay_failed);
    }
  }

  /** A later subscribe, an unsubscribe or a close has taken over from this one. */
  private superseded(generation: number): boolean {
    return generation !== this.generation || this.mode === 'closing';
  }

  /**
   * Sends replayed signals in frames of at most a quarter of the send buffer, waiting for room
   * before each: a page can be many times the buffer, and sent whole it would leave this session
   * over the limit, so that a client that reads fine is closed 4408 and can never finish a replay.
   * Returns false when this replay was superseded.
   */
  private async sendPaced(rows: Signal[], generation: number): Promise<boolean> {
    for (const frame of replayFrames(rows, this.ctx.config.sendBufferBytes / 4)) {
      await this.waitForRoom();
      if (this.superseded(generation)) return false;
      this.send(frame.text, frame.count);
    }
    await this.waitForRoom();
    return !this.superseded(generation);
  }

  /** Paces replay to the client's reading speed instead of filling memory. */
  private async waitForRoom(): Promise<void> {
    while (this.replaying && this.ws.bufferedAmount > this.ctx.config.sendBufferBytes / 2) {
      await Promise.race([once(this.socket, 'drain'), once(this.ws, 'close')]);
    }
  }

  private onClosed(code: number): void {
    clearTimeout(this.authTimer);
    this.generation += 1;
    if (this.mode !== 'closing') this.ctx.detach(this);
    this.mode = 'closing';
    this.ctx.events.onClosed?.(this, code);
  }
}

/**
 * The store, seen through one subscription's filter, up to the LiveFeed's position. A class, not an
 * object literal with a getter and a closure: every subscribed session holds one (bench/profiles/idle-memory.md).
 */
class FilteredStore implements ReplaySource {
  constructor(
    private readonly ctx: GatewayContext,
    private readonly filter: SignalFilter,
  ) {}

  get lastSeq(): number {
    return this.ctx.feed.lastSeq;
  }

  read(afterSeq: number, uptoSeq: number, limit: number): Promise<Signal[]> {
    return this.ctx.store.read({ afterSeq, uptoSeq, limit, filter: this.filter });
  }
}
