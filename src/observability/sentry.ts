// Error reporting to Sentry, only when a DSN is configured: every function here is a no-op until
// initSentry() succeeded, so the rest of the code calls them unconditionally.
//
// ORDER MATTERS: call initSentry() before fastify (or http, pg, ioredis) is imported, so the SDK's
// instrumentation sees those modules load: in main, `initSentry(...)` first, then
// `await import('fastify')`; or start node with `--import ./dist/src/observability/instrument.js`.
//
// What is captured: 5xx responses (with the request id as tag `request_id`), unhandled rejections
// and uncaught exceptions (the SDK's default integrations), and whatever code passes to
// captureException (the gateway tags `session_id`). 4xx are the client's business: never sent.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

type SentrySdk = typeof import('@sentry/node');
// Loaded only when a DSN is configured: the SDK takes ~0.8 s to import, which every node start
// (and every test that starts one) would otherwise pay for nothing.
let Sentry: SentrySdk;

export interface SentryOptions {
  /** Usually process.env.SENTRY_DSN; empty or undefined leaves Sentry off. */
  dsn: string | undefined;
  environment?: string;
  release?: string;
}

let enabled = false;

export function sentryEnabled(): boolean {
  return enabled;
}

/** Starts the SDK when a DSN is given; resolves to whether it did. */
export async function initSentry(opts: SentryOptions): Promise<boolean> {
  if (!opts.dsn) return false;
  Sentry = await import('@sentry/node');
  Sentry.init({
    dsn: opts.dsn,
    environment: opts.environment,
    release: opts.release,
    // Signals' bodies and subscribers' identities are not Sentry's business; headers without the
    // credentials (below) are enough to debug a request.
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpBodies: [],
      httpHeaders: { request: { deny: ['authorization', 'cookie'] }, response: true },
    },
    // setupSentryFastify captures 5xx itself, tagged with the request id; the SDK's automatic
    // Fastify capture would report each of them a second time, untagged.
    integrations: (defaults) => defaults.filter((i) => i.name !== 'Fastify'),
    beforeSend(event) {
      // Bearer tokens are secrets: never let one leave the process inside request data.
      const headers = event.request?.headers;
      if (headers) {
        for (const h of Object.keys(headers))
          if (/^(authorization|cookie|x-api-key)$/i.test(h)) delete headers[h];
      }
      return event;
    },
  });
  enabled = true;
  return true;
}

export interface CaptureContext {
  requestId?: string;
  sessionId?: string;
  tags?: Record<string, string | number>;
  extra?: Record<string, unknown>;
}

/** Sends one error with the given ids as tags; returns the event id, or undefined when off. */
export function captureException(err: unknown, ctx: CaptureContext = {}): string | undefined {
  if (!enabled) return undefined;
  return Sentry.withScope((scope) => {
    if (ctx.requestId) scope.setTag('request_id', ctx.requestId);
    if (ctx.sessionId) scope.setTag('session_id', ctx.sessionId);
    if (ctx.tags) scope.setTags(ctx.tags);
    if (ctx.extra) scope.setExtras(ctx.extra);
    return Sentry.captureException(err);
  });
}

export interface SentryFastifyOptions {
  /** Which responses to report (default: status >= 500). */
  shouldCapture?: (statusCode: number, err: unknown) => boolean;
}

/**
 * Reports requests that ended in a 5xx with the error that caused them, tagged with the request id,
 * route and status. The error is remembered in onError and reported in onResponse, once the final
 * status is known (onError runs before the error handler decides it).
 */
export function setupSentryFastify(
  app: FastifyInstance<any, any, any, any, any>,
  opts: SentryFastifyOptions = {},
): void {
  if (!enabled) return;
  const shouldCapture = opts.shouldCapture ?? ((status: number) => status >= 500);
  const errors = new WeakMap<FastifyRequest, unknown>();
  app.addHook('onError', async (request: FastifyRequest, _reply: FastifyReply, error: unknown) => {
    errors.set(request, error);
  });
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!errors.has(request)) return;
    const err = errors.get(request);
    if (!shouldCapture(reply.statusCode, err)) return;
    captureException(err, {
      requestId: request.id,
      tags: {
        route: request.routeOptions.url ?? 'unmatched',
        method: request.method,
        status_code: String(reply.statusCode),
      },
    });
  });
}

/** Waits until queued events are sent (before exit); true when everything went out. */
export async function flushSentry(timeoutMs: number): Promise<boolean> {
  if (!enabled) return true;
  return Sentry.flush(timeoutMs);
}
