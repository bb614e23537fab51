// Liveness says the process answers; readiness says whether this node can serve its role now.
import type { FastifyInstance } from 'fastify';
import type { DependencyReadiness } from '../resilience/health.js';

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
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_req, reply) => {
    const r = await deps.ready();
    if (r.status === 'unavailable') reply.header('retry-after', '5');
    return reply.code(r.status === 'unavailable' ? 503 : 200).send(r);
  });
}
