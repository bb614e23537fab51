// Every error leaves as the protocol's shape, Fastify's own included (bad JSON, body too large, wrong
// content type, schema violations, unknown routes). Internal details never reach the client.
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CatalystError, type ErrorCode, errorBody } from '../domain/errors.js';
import { REQUEST_ID_HEADER } from '../observability/request-id.js';
import { drainThenDestroy } from './client-errors.js';

export function sendError(reply: FastifyReply, err: CatalystError): FastifyReply {
  if (err.retryAfter !== undefined)
    reply.header('retry-after', String(Math.max(1, Math.ceil(err.retryAfter))));
  return reply.code(err.status).send(err.toBody());
}

function fromFastify(err: FastifyError): CatalystError | undefined {
  if (err.validation && err.validation.length > 0) {
    const v = err.validation[0] as {
      instancePath?: string;
      params?: { missingProperty?: string; additionalProperty?: string };
      message?: string;
    };
    const path = (v.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
    const unknown = v.params?.additionalProperty;
    const field = [
      err.validationContext === 'body' ? '' : err.validationContext,
      path,
      v.params?.missingProperty ?? unknown,
    ]
      .filter(Boolean)
      .join('.');
    // The same words as the domain's own check of a signal's fields.
    const message =
      unknown !== undefined
        ? `unknown field ${field}`
        : `${field || err.validationContext} ${v.message ?? 'is invalid'}`;
    return new CatalystError('invalid_request', message, { field: field || undefined } as { field?: string });
  }
  const byStatus: Record<number, ErrorCode> = {
    400: 'invalid_request',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'not_found',
    413: 'payload_too_large',
    415: 'unsupported_media_type',
    429: 'rate_limited',
  };
  const code = err.statusCode ? byStatus[err.statusCode] : undefined;
  if (!code) return undefined;
  // Fastify's messages for these are safe and helpful ("Body is not valid JSON but ...").
  return new CatalystError(code, err.message);
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const known = err instanceof CatalystError ? err : fromFastify(err);
    if (known) {
      if (known.status >= 500) req.log.error({ err }, 'request failed');
      if (!req.raw.complete) return answerAndDrain(req, reply, known);
      return sendError(reply, known);
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send(errorBody('internal', `internal error (request ${req.id})`));
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]}`)),
  );
}

/**
 * An error answered while the client is still sending its body (413 on a chunked stream, a 429
 * before the body was read): written on the socket, then the rest is read and dropped until the
 * client is done. Node would close the socket as soon as the answer is written, and closing with
 * unread data sends a reset, which may make the client's kernel drop the answer unread.
 */
function answerAndDrain(req: FastifyRequest, reply: FastifyReply, err: CatalystError): void {
  reply.hijack();
  const socket = req.raw.socket;
  const body = JSON.stringify(err.toBody());
  const retryAfter =
    err.retryAfter === undefined ? '' : `Retry-After: ${Math.max(1, Math.ceil(err.retryAfter))}\r\n`;
  socket.end(
    `HTTP/1.1 ${err.status} ${STATUS_CODES[err.status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n${retryAfter}${REQUEST_ID_HEADER}: ${req.id}\r\nConnection: close\r\n\r\n${body}`,
  );
  req.raw.resume();
  drainThenDestroy(socket);
}
