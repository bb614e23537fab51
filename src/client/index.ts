// The package's client entry point (`catalyst-signals/client`).
export { Backoff, type BackoffKind, type BackoffOptions } from './backoff.js';
export { CatalystClient } from './client.js';
export type {
  ErrorMessage,
  HeartbeatMessage,
  PongMessage,
  ResetMessage,
  SignalMessage,
  SubscribedMessage,
  WelcomeMessage,
} from './frames.js';
export {
  type CatalystClientOptions,
  CatalystClientError,
  type ClientEvents,
  type Clock,
  type DisconnectedEvent,
  type EpochChangePolicy,
  type PongResult,
  type Position,
  type ReconnectingEvent,
  type ResetEvent,
} from './types.js';
