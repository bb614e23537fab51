// Builds the Fastify instance of a node: error shape, request ids, and the route plugins its role
// needs. Objects are built in main.ts and passed in; nothing here constructs an adapter.
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import type { Config } from '../config.js';
import { observeHttp } from '../observability/http-metrics.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { echoRequestId, fastifyRequestIdOptions } from '../observability/request-id.js';
import { setupSentryFastify } from '../observability/sentry.js';
import { installErrorHandling } from './error-handler.js';

export interface AppOptions {
  config: Config;
  logger: Logger;
  metrics: Metrics;
}

export async function createApp({ config, logger, metrics }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger,
    disableRequestLogging: true,
    ...fastifyRequestIdOptions,
    bodyLimit: config.api.bodyLimitBytes,
    // The gateway drains sessions itself before the server closes (main.ts shutdown).
    return503OnClosing: true,
    ...(config.tls
      ? { https: { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) } }
      : {}),
  }) as unknown as FastifyInstance;
  installErrorHandling(app);
  echoRequestId(app);
  observeHttp(app, metrics);
  setupSentryFastify(app);
  await app.register(websocket, {
    options: { maxPayload: config.gateway.maxFrameBytes },
  });
  return app;
}
