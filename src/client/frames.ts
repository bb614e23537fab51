// Reading server frames. A frame is one JSON message or a JSON array of them (the server may batch),
// so everything downstream sees a flat list. Shapes are checked only as far as the client relies on
// them; unknown message types pass through so a newer server never breaks an older client.
import type { SignalFilter } from '../domain/filter.js';
import type { Signal } from '../domain/signal.js';

export interface WelcomeMessage {
  type: 'welcome';
  client_id: string;
  epoch: string;
  last_seq: number;
  heartbeat_ms: number;
}

export interface SubscribedMessage {
  type: 'subscribed';
  filters: SignalFilter;
  replay?: { from_seq: number; to_seq: number; count: number };
}

export interface SignalMessage {
  type: 'signal';
  seq: number;
  signal: Signal;
}

export interface HeartbeatMessage {
  type: 'heartbeat';
  last_seq: number;
  ts?: number;
}

export interface ResetMessage {
  type: 'reset';
  epoch: string;
  last_seq: number;
}

export interface PongMessage {
  type: 'pong';
  ts: number;
  last_seq: number;
}

export interface ErrorMessage {
  type: 'error';
  code: string;
  message: string;
}

export interface UnknownMessage {
  type: string;
}

export type ServerMessage =
  | WelcomeMessage
  | SubscribedMessage
  | SignalMessage
  | HeartbeatMessage
  | ResetMessage
  | PongMessage
  | ErrorMessage;

export class FrameError extends Error {
  override name = 'FrameError';
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The fields each known type must carry for the client to act on it safely. */
const REQUIRED: Record<string, (m: Record<string, unknown>) => boolean> = {
  welcome: (m) => typeof m.epoch === 'string' && isSeq(m.last_seq) && typeof m.heartbeat_ms === 'number',
  subscribed: () => true,
  signal: (m) => isSeq(m.seq) && isObject(m.signal),
  heartbeat: (m) => isSeq(m.last_seq),
  reset: (m) => typeof m.epoch === 'string' && isSeq(m.last_seq),
  pong: () => true,
  error: () => true,
};

/**
 * Parses one text frame. Throws FrameError on anything malformed: a frame the client cannot read
 * might have carried a signal, so the caller must drop the connection and resume rather than skip it.
 */
export function parseFrame(text: string): Array<ServerMessage | UnknownMessage> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new FrameError(`frame is not JSON: ${text.slice(0, 80)}`);
  }
  const items = Array.isArray(raw) ? raw : [raw];
  return items.map((m) => {
    if (!isObject(m) || typeof m.type !== 'string') throw new FrameError('message without a type');
    const check = REQUIRED[m.type];
    if (check && !check(m)) throw new FrameError(`malformed ${m.type} message`);
    return m as unknown as ServerMessage | UnknownMessage;
  });
}
