// What a Session needs from the node: shared state and policy, passed in rather than reached for.
import type { Logger } from 'pino';
import type { Principal } from '../auth/tokens.js';
import type { Config } from '../config.js';
import type { SignalFilter } from '../domain/filter.js';
import type { Signal } from '../domain/signal.js';
import type { EventStore } from '../store/event-store.js';
import type { TokenStore } from '../store/token-store.js';
import type { LiveFeed } from './live-feed.js';
import type { Session } from './session.js';

export interface GatewayEvents {
  onOpened?(session: Session): void;
  onClosed?(session: Session, code: number): void;
  onMessageSent?(type: string, count: number): void;
  onSlowConsumer?(session: Session): void;
  onReplay?(count: number): void;
  /** The signal was written to `count` sessions' sockets (for publish-to-send latency). */
  onDelivered?(signal: Signal, count: number): void;
}

export interface GatewayContext {
  readonly config: Config['gateway'];
  readonly store: EventStore;
  readonly tokens: TokenStore;
  readonly feed: LiveFeed;
  readonly epoch: string;
  readonly log: Logger;
  readonly events: GatewayEvents;
  /** Highest seq whose live fan-out is complete (the feed's lastSeq may be ahead of it). */
  readonly sentSeq: number;
  /** The session is authenticated as `principal`; returns the Principal it keeps (one per token). */
  attach(session: Session, principal: Principal): Principal;
  detach(session: Session): void;
  subscribe(session: Session, filter: SignalFilter): void;
  unsubscribe(session: Session): void;
  allowConnect(session: Session, principal: Principal): Promise<boolean>;
  /** A token that did not check out: counts against the session's address. */
  authFailed(session: Session): void;
  allowMessages(session: Session, count: number): Promise<boolean>;
}
