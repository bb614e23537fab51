// Builds the Fastify instance of a node: error shape, request ids, and the route plugins its role
// needs. Objects are built in main.ts and passed in; nothing here constructs an adapter.
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import type { Config } from '../config.js';
import { observeHttp } from '../observability/http-metrics.js';
import { type Logger, logWebSocketError } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { echoRequestId, fastifyRequestIdOptions, requestLogController } from '../observability/request-id.js';
import { setupSentryFastify } from '../observability/sentry.js';
import { clientErrorHandler } from './client-errors.js';
import { installErrorHandling } from './error-handler.js';
import { compileValidator } from './validation.js';

export interface AppOptions {
  config: Config;
  logger: Logger;
  metrics: Metrics;
}

export async function createApp({ config, logger, metrics }: AppOptions): Promise<FastifyInstance> {
  const { requestTimeoutMs, keepAliveTimeoutMs } = config.http;
  // Node checks its request and headers timeouts on this interval: a tenth of the shortest keeps a
  // slow client's overstay small.
  const serverOptions = {
    connectionsCheckingInterval: Math.max(
      50,
      Math.floor(Math.min(requestTimeoutMs, config.http.headersTimeoutMs) / 10),
    ),
  };
  const app = Fastify({
    loggerInstance: logger,
    ...fastifyRequestIdOptions,
    logController: requestLogController({ disableRequestLogging: true }),
    bodyLimit: config.api.bodyLimitBytes,
    // req.ip is the client: the peer, or what a configured proxy forwarded (config/trusted-proxies.ts).
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: keepAliveTimeoutMs,
    clientErrorHandler: clientErrorHandler(logger),
    http: serverOptions,
    // The gateway drains sessions itself before the server closes (main.ts shutdown).
    return503OnClosing: true,
    ...(config.tls
      ? {
          https: {
            cert: readFileSync(config.tls.cert),
            key: readFileSync(config.tls.key),
            ...serverOptions,
          },
        }
      : {}),
  }) as unknown as FastifyInstance;
  // Not a Fastify option; Node requires it to be at most the request timeout (config.ts checks).
  app.server.headersTimeout = config.http.headersTimeoutMs;
  // JSON only: without this, Fastify parses text/plain into a string and the client gets a 400 about
  // the body's type instead of a 415 about its content type.
  app.removeContentTypeParser('text/plain');
  // Route schemas are checked by api/validation.ts: bodies strictly, query strings coerced.
  app.setValidatorCompiler(compileValidator);
  // Response schemas describe replies for the OpenAPI document (api/response-schemas.ts); replies
  // are written as built, so a schema that lags a field can never silently drop it.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  installErrorHandling(app);
  echoRequestId(app);
  observeHttp(app, metrics);
  setupSentryFastify(app);
  await app.register(websocket, {
    options: { maxPayload: config.gateway.maxFrameBytes },
    // Errors before the gateway's Session takes the socket over (it logs the same way after).
    errorHandler: (err, socket, req) => {
      logWebSocketError(req.log, err);
      socket.terminate();
    },
  });
  return app;
}
