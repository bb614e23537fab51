// Builds the Fastify instance of a node: error shape, request ids, and the route plugins its role
// needs. Objects are built in main.ts and passed in; nothing here constructs an adapter.
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { installErrorHandling } from './error-handler.js';

export interface AppOptions {
  config: Config;
  logger: Logger;
  genReqId?: (req: import('node:http').IncomingMessage) => string;
}

export async function createApp({ config, logger, genReqId }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger,
    disableRequestLogging: true,
    requestIdHeader: false,
    ...(genReqId ? { genReqId } : {}),
    bodyLimit: config.api.bodyLimitBytes,
    // The gateway drains sessions itself before the server closes (main.ts shutdown).
    return503OnClosing: true,
    ...(config.tls
      ? { https: { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) } }
      : {}),
  }) as unknown as FastifyInstance;
  installErrorHandling(app);
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  await app.register(websocket, {
    options: { maxPayload: config.gateway.maxFrameBytes },
  });
  return app;
}
