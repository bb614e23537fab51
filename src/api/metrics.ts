// GET /metrics: on the public port by default, or only on the ops port (CATALYST_METRICS_PORT),
// which is where production should scrape so the public side does not expose it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';

type Scrape = () => Promise<string>;

export async function metricsRoute(app: FastifyInstance, opts: { scrape: Scrape; contentType: string }) {
  const schema = {
    response: {
      200: {
        description: 'Prometheus text exposition',
        content: { 'text/plain': { schema: { type: 'string' } } },
      },
    },
  };
  app.get('/metrics', { schema }, async (_req, reply) =>
    reply.type(opts.contentType).send(await opts.scrape()),
  );
}

/** A bare node:http handler for the ops port: /metrics and nothing else. */
export function serveMetrics(scrape: Scrape, contentType: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'not_found', message: 'only GET /metrics is served here' } }));
      return;
    }
    scrape().then(
      (text) => {
        res.writeHead(200, { 'content-type': contentType });
        res.end(text);
      },
      () => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'internal', message: 'metrics collection failed' } }));
      },
    );
  };
}
