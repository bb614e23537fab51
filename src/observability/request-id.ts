// Request ids: one per HTTP request, on every log line of that request, in the `x-request-id`
// response header and on its Sentry event. An id sent by a proxy or client is kept when it is
// sane, so one id follows a request across hops; anything else (too long, odd characters that
// could forge log fields or headers) is replaced by a fresh short id.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type FastifyInstance, LogController } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** 12 url-safe characters (72 random bits): short in logs, unique enough per deployment. */
export function newRequestId(): string {
  return randomBytes(9).toString('base64url');
}

/** Usable as Fastify's `genReqId`: the incoming `x-request-id` if sane, else a new id. */
export function genReqId(req: Pick<IncomingMessage, 'headers'>): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return value !== undefined && SANE_ID.test(value) ? value : newRequestId();
}

/**
 * Fastify server options that make request ids work as described above; spread them into
 * `Fastify({...})`. `requestIdHeader: false` because genReqId validates the header itself (Fastify
 * would otherwise trust it verbatim); the log label makes request lines say `request_id`.
 */
export const fastifyRequestIdOptions = {
  genReqId,
  requestIdHeader: false,
  logController: requestLogController(),
} as const;

/** The label of request ids in log lines, set through Fastify's LogController (not deprecated options). */
export function requestLogController(opts: { disableRequestLogging?: boolean } = {}): LogController {
  return new LogController({ requestIdLogLabel: 'request_id', ...opts });
}

/** Echoes the request id to the client, so a user reporting an error can quote it. */
// Any server/logger type parameters: the app may use a pino Logger as its logger type.
export function echoRequestId(app: FastifyInstance<any, any, any, any, any>): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
}
