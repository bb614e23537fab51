// Signal routes: publish one, publish a batch, list, get one. Field rules live in domain/signal.ts
// (one place, shared with the pipeline); the schemas here fix the envelope and the query types.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { CatalystError, errorBody } from '../domain/errors.js';
import { parseQueryFilter } from '../domain/filter.js';
import type { Signal } from '../domain/signal.js';
import type { Publisher } from '../publish/publisher.js';
import type { EventStore } from '../store/event-store.js';
import type { TokenStore } from '../store/token-store.js';
import { requireScope } from './auth.js';
import { ack, batchResults, errorReply, jsonReply, ref } from './response-schemas.js';

export interface SignalRoutesDeps {
  config: Config['api'];
  store: EventStore;
  tokens: TokenStore;
  publisher: Publisher;
  /** Rate limit hook per principal and limiter name; throws CatalystError('rate_limited'). */
  limit?(limiter: 'publish' | 'read', key: string, points: number): Promise<void>;
}

/**
 * The store's epoch, on every read (docs/PROTOCOL.md): the REST twin of the WebSocket's `epoch`. A
 * poller that sees it change knows its since_seq belongs to another history (a restore).
 */
export const EPOCH_HEADER = 'x-catalyst-epoch';

const epochHeader = {
  [EPOCH_HEADER]: {
    type: 'string',
    description: "names the store's history; a new value voids a saved since_seq",
  },
};

// A seq past what a JSON number holds exactly is no seq: the cap also refuses `1e400`, which the
// query string's coercion would otherwise turn into Infinity.
const seqValue = { type: 'integer', maximum: Number.MAX_SAFE_INTEGER } as const;

const listQuery = {
  type: 'object',
  properties: {
    since_seq: { ...seqValue, minimum: 0, default: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    // Filter parameters: types here (for coercion and the API description); their rules and limits
    // are domain/filter.ts's, the same as a WebSocket subscribe's.
    min_confidence: { type: 'number' },
    min_score: { type: 'number' },
    ticker: { type: 'string', description: 'one ticker or a comma-separated list' },
    catalyst: { type: 'string', description: 'one catalyst or a comma-separated list' },
    source: { type: 'string', description: 'one source or a comma-separated list' },
    sentiment: { type: 'string' },
  },
} as const;

const seqParams = {
  type: 'object',
  required: ['seq'],
  properties: { seq: { ...seqValue, minimum: 1 } },
} as const;

export async function signalRoutes(app: FastifyInstance, deps: SignalRoutesDeps): Promise<void> {
  const publishAuth = requireScope(deps.tokens, 'publish');
  const readAuth = requireScope(deps.tokens, 'subscribe');
  // Keyed by token name, never the token itself (limiter keys appear in logs).
  const limited =
    (limiter: 'publish' | 'read', points: (body: unknown) => number = () => 1) =>
    async (req: { principal?: { name: string }; body?: unknown }) => {
      if (deps.limit && req.principal) await deps.limit(limiter, req.principal.name, points(req.body));
    };
  const batchSize = (body: unknown) =>
    Math.max(1, (Array.isArray(body) ? body : ((body as { signals?: unknown[] })?.signals ?? [])).length);

  const publishOne = {
    bodyLimit: deps.config.bodyLimitBytes,
    schema: {
      body: { type: 'object', description: 'a signal without seq and created_at' },
      response: {
        201: jsonReply('stored: its seq', ack),
        200: jsonReply('already stored with this id and the same content: the original seq', ack),
      },
    },
    preHandler: [publishAuth, limited('publish')],
    handler: async (req: { body: unknown }, reply: import('fastify').FastifyReply) => {
      const [r] = await deps.publisher.publish([req.body]);
      if (!r) throw new Error('publisher returned no result');
      if ('error' in r) return reply.code(r.status).send({ error: r.error });
      return reply.code(r.status).send({ seq: r.seq, id: r.id, created_at: r.created_at });
    },
  };
  app.post('/signals', publishOne);
  app.post('/signal', publishOne);

  app.post('/signals/batch', {
    bodyLimit: deps.config.batchBodyLimitBytes,
    // A batch spends one point per signal: batching is cheaper, not a way around the limit.
    schema: {
      body: {
        oneOf: [
          { type: 'array', maxItems: deps.config.maxBatch },
          {
            type: 'object',
            required: ['signals'],
            additionalProperties: false,
            properties: { signals: { type: 'array', maxItems: deps.config.maxBatch } },
          },
        ],
      },
      response: { 201: jsonReply('each signal stored, already stored or refused', batchResults) },
    },
    preHandler: [publishAuth, limited('publish', batchSize)],
    handler: async (req, reply) => {
      const list = Array.isArray(req.body) ? req.body : (req.body as { signals: unknown[] }).signals;
      if (list.length === 0)
        throw new CatalystError('invalid_request', 'the batch is empty', { field: 'signals' });
      const results = await deps.publisher.publish(list);
      return reply.code(201).send({ results });
    },
  });

  // Read before the data: a reply never pairs a new epoch with the old history's signals.
  const withEpoch = async (_req: unknown, reply: import('fastify').FastifyReply) => {
    reply.header(EPOCH_HEADER, await deps.store.epoch());
  };

  app.get('/signals', {
    schema: {
      querystring: listQuery,
      response: {
        200: jsonReply(
          'signals after since_seq, and the since_seq of the next poll',
          {
            type: 'object',
            required: ['signals', 'next_seq'],
            properties: { signals: { type: 'array', items: ref('Signal') }, next_seq: { type: 'integer' } },
          },
          epochHeader,
        ),
      },
    },
    preHandler: [readAuth, limited('read'), withEpoch],
    handler: async (req, reply) => {
      const q = req.query as { since_seq: number; limit: number } & Record<string, unknown>;
      const filter = parseQueryFilter(q);
      // Bound the scan by the head read first: next_seq may then skip past non-matching signals.
      const head = await deps.store.lastSeq();
      // As stored: up to 1,000 signals are not parsed only to be serialised again.
      const signals = await deps.store.readJson({
        afterSeq: q.since_seq,
        uptoSeq: head,
        limit: q.limit,
        filter,
      });
      const last = signals[signals.length - 1];
      // Never past the head: a since_seq beyond it belongs to another history (compare the epoch),
      // and echoing it would skip every signal stored up to it.
      const next_seq = signals.length === q.limit && last ? (JSON.parse(last) as Signal).seq : head;
      return reply
        .type('application/json; charset=utf-8')
        .send(`{"signals":[${signals.join(',')}],"next_seq":${next_seq}}`);
    },
  });

  app.get('/signals/:seq', {
    schema: {
      params: seqParams,
      response: {
        200: jsonReply('the signal', ref('Signal'), epochHeader),
        404: errorReply('no signal with this seq', epochHeader),
      },
    },
    preHandler: [readAuth, limited('read'), withEpoch],
    handler: async (req, reply) => {
      const { seq } = req.params as { seq: number };
      const signal = await deps.store.get(seq);
      if (!signal) return reply.code(404).send(errorBody('not_found', `no signal with seq ${seq}`));
      return signal;
    },
  });
}
