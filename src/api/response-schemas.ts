// What each REST route answers, as JSON Schema on the route itself, for its OpenAPI document
// (api/docs.ts). Documentation only: server.ts serializes replies with JSON.stringify rather than
// from these, so a schema can never strip a field; test/api/docs.test.ts checks that real replies
// fit them.
import { ErrorCodes } from '../domain/errors.js';

type Schema = Record<string, unknown>;

export const ref = (name: 'Signal' | 'Error') => ({ $ref: `#/components/schemas/${name}` });

/** A JSON response of `schema`, with optional response headers. */
export const jsonReply = (description: string, schema: Schema, headers?: Schema) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema } },
});

/** An error response in the protocol's shape. */
export const errorReply = (description: string, headers?: Schema) =>
  jsonReply(description, ref('Error'), headers);

export const noContent = (description: string) => ({ description, type: 'null' });

export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(ErrorCodes) },
        message: { type: 'string' },
        field: { type: 'string', description: 'the field at fault, when one is' },
      },
    },
  },
};

const time = { type: 'string', format: 'date-time' };
const nullable = (s: Schema) => ({ anyOf: [s, { type: 'null' }] });
const obj = (properties: Record<string, Schema>, required = Object.keys(properties)) => ({
  type: 'object',
  required,
  properties,
});

export const ack = obj({ seq: { type: 'integer' }, id: { type: 'string' }, created_at: time });

export const batchResults = obj({
  results: {
    type: 'array',
    description: 'one per signal, in order: stored (201), already stored (200), or refused (400, 409)',
    items: {
      oneOf: [
        obj({
          status: { enum: [200, 201] },
          seq: { type: 'integer' },
          id: { type: 'string' },
          created_at: time,
        }),
        { ...obj({ status: { enum: [400, 409] }, error: errorSchema.properties.error }) },
      ],
    },
  },
});

export const tokenRecord = obj({
  name: { type: 'string' },
  scopes: { type: 'array', items: { type: 'string', enum: ['publish', 'subscribe', 'admin'] } },
  created_at: time,
  revoked_at: nullable(time),
});

const lastError = nullable(obj({ message: { type: 'string' }, at: time }));

export const dependencySnapshot = obj({
  name: { type: 'string' },
  state: { type: 'string', enum: ['closed', 'half_open', 'open'] },
  counts: {
    type: 'object',
    description: 'attempts since start, by outcome',
    additionalProperties: { type: 'integer' },
  },
  last_error: lastError,
  last_latency_ms: nullable({ type: 'number' }),
  policy: { type: 'object', description: 'timeout, breaker, retry and limiter settings (snake_case)' },
});

export const readiness = obj({
  status: { type: 'string', enum: ['ok', 'degraded', 'unavailable'] },
  role: { type: 'string' },
  dependencies: {
    type: 'object',
    additionalProperties: {
      type: 'object',
      required: ['state', 'breaker', 'latency_ms', 'required'],
      properties: {
        state: { type: 'string', enum: ['ok', 'degraded', 'down'] },
        breaker: { type: 'string', enum: ['closed', 'half_open', 'open'] },
        latency_ms: nullable({ type: 'number' }),
        error: { type: 'string' },
        required: { type: 'boolean', description: "whether this node's role cannot work without it" },
      },
    },
  },
});

export const pipelineItem = obj(
  {
    id: { type: 'string' },
    feed: { type: 'string' },
    stage: { type: 'string' },
    decision: { type: 'string' },
    reason: { type: 'string', description: 'a short machine word: no_ticker, duplicate_story...' },
    detail: { type: 'string' },
    title: { type: 'string' },
    tickers: { type: 'array', items: { type: 'string' } },
    url: { type: 'string' },
    key: { type: 'string' },
    published_at: time,
    decided_at: time,
    signal_ids: { type: 'array', items: { type: 'string' } },
  },
  ['id', 'feed', 'stage', 'decision', 'reason', 'title', 'tickers', 'published_at', 'decided_at'],
);

export const feedState = obj(
  {
    name: { type: 'string' },
    kind: { type: 'string' },
    url: { type: 'string' },
    last_poll_at: nullable(time),
    last_success_at: nullable(time),
    last_error: lastError,
    last_items: { type: 'integer' },
    new_items: { type: 'integer' },
    polled_by: nullable({ type: 'string' }),
    breaker: nullable({ type: 'string', enum: ['closed', 'half_open', 'open'] }),
  },
  ['name', 'kind', 'url', 'last_poll_at', 'last_success_at', 'last_error'],
);
