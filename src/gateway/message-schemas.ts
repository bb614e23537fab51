// JSON Schemas of every WebSocket message, both directions: the machine-readable form of the wire
// contract that the AsyncAPI document (api/asyncapi.ts) is built from. The gateway's parser
// (messages.ts) and the session are the behaviour; test/api/docs.test.ts checks that every type
// they accept or send is declared here, so the two cannot drift apart silently.
import { SIGNAL_LIMITS } from '../domain/signal.js';

type Schema = Record<string, unknown>;

const seq = { type: 'integer', minimum: 0 } as const;
const names = (what: string): Schema => ({
  type: 'array',
  maxItems: 1000,
  items: { type: 'string', minLength: 1, maxLength: 100 },
  description: `match any of these ${what}`,
});

export const signalFilterSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  description: 'Every filter given must match; an absent filter matches everything.',
  properties: {
    min_confidence: { type: 'number' },
    tickers: { ...names('tickers'), description: 'case-insensitive; upper-cased by the server' },
    catalysts: names('catalysts'),
    sources: names('sources'),
    min_score: { type: 'number', description: 'signals without a score never match it' },
    sentiment: { type: 'string', enum: ['positive', 'negative'], description: 'positive > 0, negative < 0' },
  },
};

export const signalSchema: Schema = {
  type: 'object',
  required: [
    'seq',
    'id',
    'ticker',
    'title',
    'source',
    'catalyst',
    'sentiment',
    'confidence',
    'published_at',
    'created_at',
  ],
  properties: {
    seq: { ...seq, description: 'assigned by the server; strictly increasing, gap-free' },
    id: { type: 'string', minLength: 1, maxLength: SIGNAL_LIMITS.idMax, description: 'idempotency key' },
    ticker: { type: 'string', pattern: '^[A-Z0-9.-]{1,10}$' },
    title: { type: 'string', minLength: 1, maxLength: SIGNAL_LIMITS.titleMax },
    source: { type: 'string', minLength: 1, maxLength: SIGNAL_LIMITS.sourceMax },
    url: { type: 'string', maxLength: SIGNAL_LIMITS.urlMax, format: 'uri' },
    catalyst: { type: 'string', pattern: '^[a-z][a-z0-9_]*$', maxLength: SIGNAL_LIMITS.catalystMax },
    sentiment: { type: 'number', minimum: -1, maximum: 1 },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    score: {
      type: 'number',
      minimum: SIGNAL_LIMITS.scoreMin,
      maximum: SIGNAL_LIMITS.scoreMax,
      description:
        'optional; the built-in pipeline scores confidence x RVOL factor x float factor (0 to 1.82)',
    },
    published_at: { type: 'string', format: 'date-time' },
    created_at: { type: 'string', format: 'date-time', description: 'set by the server when stored' },
    metadata: { type: 'object', description: `free-form, at most ${SIGNAL_LIMITS.metadataMaxBytes} bytes` },
  },
};

export interface MessageSchema {
  summary: string;
  /** Payload properties besides `type`. */
  properties: Record<string, Schema>;
  required?: string[];
}

/** What a client may send; the gateway answers anything else with an `error` message. */
export const clientMessages: Record<string, MessageSchema> = {
  auth: {
    summary: 'First message, within the auth timeout (or send Authorization: Bearer on the upgrade).',
    properties: { token: { type: 'string', minLength: 1 } },
    required: ['token'],
  },
  subscribe: {
    summary:
      'Replaces the filters. With since_seq: replay every stored match after it, then live, no gap and no duplicate.',
    properties: {
      filters: { $ref: '#/components/schemas/SignalFilter' },
      since_seq: { ...seq, description: 'resume point: the last seq this client saw' },
      epoch: { type: 'string', description: 'the epoch since_seq belongs to; a different one gets `reset`' },
    },
  },
  unsubscribe: { summary: 'Stop receiving signals.', properties: {} },
  ping: { summary: 'Answered with pong.', properties: { ts: { description: 'echoed back' } } },
};

/** What the gateway sends. */
export const serverMessages: Record<string, MessageSchema> = {
  welcome: {
    summary: 'After a good auth.',
    properties: {
      client_id: { type: 'string' },
      session_id: { type: 'string' },
      epoch: { type: 'string', description: "names the store's history; a new epoch voids saved positions" },
      last_seq: seq,
      heartbeat_ms: { type: 'integer', minimum: 1 },
    },
    required: ['client_id', 'session_id', 'epoch', 'last_seq', 'heartbeat_ms'],
  },
  subscribed: {
    summary: 'After subscribe; replayed signals follow, then live ones.',
    properties: {
      filters: { $ref: '#/components/schemas/SignalFilter' },
      replay: {
        type: 'object',
        required: ['from_seq', 'to_seq', 'count'],
        properties: { from_seq: seq, to_seq: seq, count: { type: 'integer', minimum: 0 } },
      },
    },
    required: ['filters', 'replay'],
  },
  signal: {
    summary: 'One matching signal (replayed ones come batched in JSON arrays).',
    properties: { seq, signal: { $ref: '#/components/schemas/Signal' } },
    required: ['seq', 'signal'],
  },
  heartbeat: {
    summary: 'When idle for heartbeat_ms; last_seq is a safe resume point.',
    properties: { last_seq: seq, ts: { type: 'integer' } },
    required: ['last_seq', 'ts'],
  },
  pong: {
    summary: 'Answer to ping.',
    properties: { ts: {}, last_seq: seq },
    required: ['last_seq'],
  },
  unsubscribed: { summary: 'After unsubscribe.', properties: {} },
  reset: {
    summary: 'The position cannot be honoured (other epoch, or beyond the head): re-read, subscribe again.',
    properties: { epoch: { type: 'string' }, last_seq: seq },
    required: ['epoch', 'last_seq'],
  },
  error: {
    summary: 'A bad message; the connection stays open unless a close follows.',
    properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
    required: ['code', 'message'],
  },
};

/** The full payload schema of one message. */
export function messagePayload(type: string, m: MessageSchema): Schema {
  return {
    type: 'object',
    required: ['type', ...(m.required ?? [])],
    properties: { type: { const: type }, ...m.properties },
  };
}
