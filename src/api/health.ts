// Liveness says the process answers; readiness says whether this node can serve its role now.
import type { FastifyInstance } from 'fastify';
import type { DependencyReadiness } from '../resilience/health.js';
import { jsonReply, readiness } from './response-schemas.js';

export type DependencyHealth = DependencyReadiness & {
  /** Whether this node's role cannot work without it. */
  required: boolean;
};

export interface Readiness {
  status: 'ok' | 'degraded' | 'unavailable';
  role: string;
  dependencies: Record<string, DependencyHealth>;
}

export async function healthRoutes(
  app: FastifyInstance,
  deps: { ready(): Promise<Readiness> },
): Promise<void> {
  const live = { type: 'object', required: ['status'], properties: { status: { const: 'ok' } } };
  app.get(
    '/health/live',
    { schema: { response: { 200: jsonReply('the process answers', live) } } },
    async () => ({
      status: 'ok',
    }),
  );
  const readySchema = {
    response: {
      200: jsonReply(
        'ready for its role (ok), or working without an optional dependency (degraded)',
        readiness,
      ),
      503: jsonReply('a dependency its role needs is down; try again after retry-after', readiness),
    },
  };
  app.get('/health/ready', { schema: readySchema }, async (_req, reply) => {
    const r = await deps.ready();
    if (r.status === 'unavailable') reply.header('retry-after', '5');
    return reply.code(r.status === 'unavailable' ? 503 : 200).send(r);
  });
}
