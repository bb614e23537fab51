// Records catalyst_http_requests_total and catalyst_http_request_duration_seconds for every
// response. The route label is Fastify's route pattern (`/signals/:seq`), `unmatched` for 404s on
// no route, so a scanner requesting random URLs cannot blow up the series count.
import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.js';

export function observeHttp(
  app: FastifyInstance<any, any, any, any, any>,
  metrics: Pick<Metrics, 'httpRequests' | 'httpDuration'>,
): void {
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });
}
