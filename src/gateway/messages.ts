// Client -> server messages: parsing and validation. Anything malformed becomes a CatalystError the
// session answers with an `error` message (the connection stays open until too many in a row).
import { CatalystError } from '../domain/errors.js';
import { parseFilter, type SignalFilter } from '../domain/filter.js';
import type { Signal } from '../domain/signal.js';
import { truncate } from '../domain/text.js';

export type ClientMessage =
  | { type: 'auth'; token: string }
  | { type: 'subscribe'; filters: SignalFilter; since_seq?: number; epoch?: string }
  | { type: 'unsubscribe' }
  | { type: 'ping'; ts?: unknown };

const invalid = (message: string, field?: string) =>
  new CatalystError('invalid_request', message, field === undefined ? {} : { field });

/** A frame is one message or an array of them. */
export function parseFrame(text: string): unknown[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw invalid('frame is not valid JSON');
  }
  const list = Array.isArray(data) ? data : [data];
  if (list.length === 0 || list.length > 100) throw invalid('a frame holds 1 to 100 messages');
  return list;
}

export function parseClientMessage(raw: unknown): ClientMessage {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalid('a message must be a JSON object');
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'auth':
      if (typeof m.token !== 'string' || m.token.length === 0) throw invalid('auth needs a token', 'token');
      return { type: 'auth', token: m.token };
    case 'subscribe': {
      const msg: ClientMessage = { type: 'subscribe', filters: parseFilter(m.filters) };
      if (m.since_seq !== undefined && m.since_seq !== null) {
        if (typeof m.since_seq !== 'number' || !Number.isSafeInteger(m.since_seq) || m.since_seq < 0) {
          throw invalid('since_seq must be a non-negative integer', 'since_seq');
        }
        msg.since_seq = m.since_seq;
      }
      if (m.epoch !== undefined && m.epoch !== null) {
        if (typeof m.epoch !== 'string') throw invalid('epoch must be a string', 'epoch');
        msg.epoch = m.epoch;
      }
      return msg;
    }
    case 'unsubscribe':
      return { type: 'unsubscribe' };
    case 'ping':
      return { type: 'ping', ts: m.ts };
    default:
      throw invalid(
        typeof m.type === 'string'
          ? `unknown message type "${truncate(m.type, 40)}"`
          : 'a message needs a "type"',
        'type',
      );
  }
}

/**
 * The server's signal message, serialised: built here only, for live fan-out and replay alike. Live
 * fan-out builds it once per signal, however many sessions it goes to.
 */
export function signalFrame(signal: Signal): string {
  return JSON.stringify({ type: 'signal', seq: signal.seq, signal });
}

/**
 * A serialised message as a whole WebSocket text frame (server to client: unmasked, FIN, no
 * compression), encoded once: a signal due alone to many sessions goes to each socket as this one
 * Buffer, without `ws` encoding and framing it again per session (bench/profiles/fanout.md).
 */
export function wireFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81;
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.write(text, header, 'utf8');
  return frame;
}

/**
 * Serialised messages as one frame: a lone message as itself, several as a JSON array. Strings, not
 * Buffers: encoded once per signal as Buffers, they lived outside the V8 heap and were collected late
 * (RSS +15-20 MiB in test/e2e/slow-consumer on pg-redis-2, against its memory bound).
 */
export function joinFrame(messages: readonly string[]): string {
  return messages.length === 1 ? (messages[0] as string) : `[${messages.join(',')}]`;
}

/**
 * Replayed signals grouped into array frames of at most `budgetBytes` (a single larger signal goes
 * alone): sent whole, a page could be many times a send buffer.
 */
export function* replayFrames(
  rows: Signal[],
  budgetBytes: number,
): Generator<{ text: string; count: number }> {
  let frame: string[] = [];
  let bytes = 0;
  for (const s of rows) {
    const text = signalFrame(s);
    if (frame.length > 0 && bytes + text.length > budgetBytes) {
      yield { text: `[${frame.join(',')}]`, count: frame.length };
      frame = [];
      bytes = 0;
    }
    frame.push(text);
    bytes += text.length;
  }
  if (frame.length > 0) yield { text: `[${frame.join(',')}]`, count: frame.length };
}
