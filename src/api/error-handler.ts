// Every error leaves as the protocol's shape, Fastify's own included (bad JSON, body too large, wrong
// content type, schema violations, unknown routes). Internal details never reach the client.
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { CatalystError, type ErrorCode, errorBody } from '../domain/errors.js';

export function sendError(reply: FastifyReply, err: CatalystError): FastifyReply {
  if (err.retryAfter !== undefined)
    reply.header('retry-after', String(Math.max(1, Math.ceil(err.retryAfter))));
  return reply.code(err.status).send(err.toBody());
}

function fromFastify(err: FastifyError): CatalystError | undefined {
  if (err.validation && err.validation.length > 0) {
    const v = err.validation[0] as {
      instancePath?: string;
      params?: { missingProperty?: string };
      message?: string;
    };
    const path = (v.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
    const field = [
      err.validationContext === 'body' ? '' : err.validationContext,
      path,
      v.params?.missingProperty,
    ]
      .filter(Boolean)
      .join('.');
    return new CatalystError(
      'invalid_request',
      `${field || err.validationContext} ${v.message ?? 'is invalid'}`,
      {
        field: field || undefined,
      } as { field?: string },
    );
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
      return sendError(reply, known);
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send(errorBody('internal', `internal error (request ${req.id})`));
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]}`)),
  );
}
