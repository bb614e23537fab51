// What a user of the client configures and observes. The wire shapes live in frames.ts.
import type { SignalFilter } from '../domain/filter.js';
import type { Signal } from '../domain/signal.js';
import type { BackoffOptions } from './backoff.js';
import type { SubscribedMessage, WelcomeMessage } from './frames.js';

/** Where a subscriber is in the stream: the seq of the last signal delivered, in the history `epoch`. */
export interface Position {
  epoch: string;
  seq: number;
}

/** Timers and time, injectable so tests can drive them; defaults to the real ones. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type EpochChangePolicy = 'live-only' | 'replay-all';

export interface CatalystClientOptions {
  /** ws:// or wss:// endpoint, e.g. ws://127.0.0.1:8000/ws. */
  url: string;
  /** A token with the `subscribe` scope. */
  token: string;
  filters?: SignalFilter;
  /** A resume point saved earlier from `client.position`. */
  position?: Position;
  /** Connects to `<url>/<clientId>` so the server can name the session. */
  clientId?: string;
  /** PEM of a private CA, for wss:// endpoints whose certificate it signed. */
  ca?: string | Buffer;
  reconnect?: BackoffOptions;
  /** No frame for this many heartbeat intervals means the connection is dead. Default 2.5. */
  heartbeatTimeoutFactor?: number;
  /** Time allowed from opening the socket to `subscribed`. Default 10000. */
  handshakeTimeoutMs?: number;
  /** Send the token in an auth message (default) or as `Authorization: Bearer` on the upgrade. */
  authVia?: 'message' | 'header';
  /**
   * When the stream's history changed (a new epoch, or the server cannot honour the position):
   * 'live-only' (default) continues from the server's current last seq; 'replay-all' replays the
   * new history from its start. Either way a 'reset' event is emitted first.
   */
  onEpochChange?: EpochChangePolicy;
  /**
   * Most signals the `signals()` iterator buffers. Reading pauses at half of it and resumes at a
   * quarter; past it the connection is dropped and resumed later. Default 1000.
   */
  highWaterMark?: number;
  random?: () => number;
  clock?: Clock;
}

export interface ResetEvent {
  epoch: string;
  last_seq: number;
  reason: 'epoch_changed' | 'server_reset';
  /** The position that could not be honoured, when there was one. */
  previous: Position | undefined;
}

export interface DisconnectedEvent {
  code: number;
  reason: string;
  willReconnect: boolean;
  /** Delay before the next attempt, when one will be made. */
  delayMs: number | undefined;
}

export interface ReconnectingEvent {
  attempt: number;
}

export interface PongResult {
  ts: number;
  last_seq: number;
  rttMs: number;
}

export interface ClientEvents {
  signal: [signal: Signal];
  welcome: [message: WelcomeMessage];
  subscribed: [message: SubscribedMessage];
  reset: [event: ResetEvent];
  disconnected: [event: DisconnectedEvent];
  reconnecting: [event: ReconnectingEvent];
  error: [error: CatalystClientError];
}

/**
 * `code` is a close code (number) or a server error code (string). `fatal` errors end the client:
 * no reconnect follows, `connect()` rejects and the iterator throws.
 */
export class CatalystClientError extends Error {
  override name = 'CatalystClientError';
  constructor(
    message: string,
    readonly code: number | string,
    readonly fatal: boolean,
  ) {
    super(message);
  }
}
