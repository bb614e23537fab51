// The HTTP front: browser blocking, routing, request ids, access log, and one request at a time, so two
// clients racing to create the same proxy see Toxiproxy's 409 rather than a half-built proxy.
import http from 'node:http';
import { ApiError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ApiContext } from './context.js';
import { requestId } from './request-id.js';
import { type Reply, apiError, empty, goError, notFound, send } from './respond.js';
import { match } from './router.js';

const MAX_BODY = 16 * 1024 * 1024;

export function createApiServer(ctx: ApiContext, log: Logger): http.Server {
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  const handle = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: string,
  ): Promise<Reply> => {
    // Toxiproxy's CSRF guard: browsers identify as Mozilla/, command-line clients do not.
    if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/'))
      return goError(403, 'User agent not allowed');
    const found = match(req.method ?? 'GET', new URL(req.url ?? '/', 'http://api').pathname);
    if (found === undefined) return notFound();
    if (found === 'wrong-method') return empty(405);
    res.setHeader('X-Toxiproxy-Request-Id', requestId());
    try {
      return await serially(async () => found.handler(ctx, { params: found.params, body }));
    } catch (err) {
      if (err instanceof ApiError) return apiError(err);
      log.log('error', 'request failed', { err: err instanceof Error ? err.stack : String(err) });
      return apiError(new ApiError(500, 'internal server error'));
    }
  };

  const server = http.createServer((req, res) => {
    const started = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks).toString('utf8')).then((reply) => {
        send(res, reply);
        log.log('debug', '', {
          component: 'API',
          method: req.method,
          remote: req.socket.remoteAddress,
          path: req.url,
          status: reply.status,
          size: reply.body === undefined ? 0 : Buffer.byteLength(reply.body),
          duration: Math.round((performance.now() - started) * 1000) / 1000,
        });
      });
    });
  });
  // Toxiproxy's server limits: idle keep-alive 60 s, whole request 15 s.
  server.keepAliveTimeout = 60_000;
  server.requestTimeout = 15_000;
  return server;
}
