// Admin views of the pipeline: every decision with its stage and reason, each feed's state and the
// funnel. Read from the ledger (the store), so any node answers for every pipeline node.
import type { FastifyInstance } from 'fastify';
import { DECISIONS, type Decision, type PipelineLedger, type Stage, STAGES } from '../pipeline/ledger.js';
import type { TokenStore } from '../store/token-store.js';
import { requireScope } from './auth.js';
import { feedState, jsonReply, pipelineItem } from './response-schemas.js';

export interface PipelineRoutesDeps {
  tokens: TokenStore;
  ledger: PipelineLedger;
  /** The feeds this node is configured with (names the ledger has no state for yet). */
  configured(): { name: string; kind: string; url: string }[];
}

const itemsQuery = {
  type: 'object',
  properties: {
    decision: { type: 'string', enum: [...DECISIONS] },
    stage: { type: 'string', enum: [...STAGES] },
    feed: { type: 'string', maxLength: 200 },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  },
  additionalProperties: false,
} as const;

export async function pipelineRoutes(app: FastifyInstance, deps: PipelineRoutesDeps): Promise<void> {
  const admin = requireScope(deps.tokens, 'admin');

  app.get('/admin/pipeline/items', {
    schema: {
      querystring: itemsQuery,
      response: {
        200: jsonReply('decisions, newest first', {
          type: 'object',
          required: ['items'],
          properties: { items: { type: 'array', items: pipelineItem } },
        }),
      },
    },
    preHandler: admin,
    handler: async (req) => {
      const q = req.query as { decision?: Decision; stage?: Stage; feed?: string; limit: number };
      return { items: await deps.ledger.items(q) };
    },
  });

  const feedsReply = jsonReply('every feed, and how many items each stage decided, by decision', {
    type: 'object',
    required: ['feeds', 'funnel'],
    properties: {
      feeds: { type: 'array', items: feedState },
      funnel: {
        type: 'array',
        items: {
          type: 'object',
          required: ['stage', 'decision', 'items'],
          properties: {
            stage: { type: 'string', enum: [...STAGES] },
            decision: { type: 'string', enum: [...DECISIONS] },
            items: { type: 'integer' },
          },
        },
      },
    },
  });
  app.get(
    '/admin/pipeline/feeds',
    { schema: { response: { 200: feedsReply } }, preHandler: admin },
    async () => {
      const [stored, funnel] = await Promise.all([deps.ledger.feeds(), deps.ledger.funnel()]);
      const known = new Set(stored.map((f) => f.name));
      const never = deps
        .configured()
        .filter((f) => !known.has(f.name))
        .map((f) => ({ ...f, last_poll_at: null, last_success_at: null, last_error: null, breaker: null }));
      return { feeds: [...stored, ...never], funnel };
    },
  );
}
