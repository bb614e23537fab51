// API descriptions generated from the code: OpenAPI 3.1 of every REST route (from the routes' own
// JSON schemas, collected by @fastify/swagger as routes are added, so this plugin must be registered
// before them) at /openapi.json, and AsyncAPI 3.0 of the WebSocket protocol at /asyncapi.json.
import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ErrorCodes } from '../domain/errors.js';
import { signalFilterSchema, signalSchema } from '../gateway/message-schemas.js';
import { buildAsyncApi } from './asyncapi.js';
import { errorReply, errorSchema, jsonReply } from './response-schemas.js';

/** The protocol's version (docs/PROTOCOL.md: "Catalyst protocol v1"), not the package's. */
const API_VERSION = '1.0.0';

const errorResponse = (code: keyof typeof ErrorCodes) => errorReply(ErrorCodes[code].message);

/** The scope a route's auth preHandler demands (api/auth.ts tags each with it). */
function scopeOf(preHandler: unknown): string | undefined {
  const list = Array.isArray(preHandler) ? preHandler : [preHandler];
  for (const h of list) {
    const scope = (h as { scope?: unknown } | undefined)?.scope;
    if (typeof scope === 'string') return scope;
  }
  return undefined;
}

/** What a publisher sends: a Signal without the fields the server assigns. */
const newSignalSchema = (() => {
  const {
    seq: _seq,
    created_at: _createdAt,
    ...properties
  } = signalSchema.properties as Record<string, unknown>;
  const required = (signalSchema.required as string[]).filter((k) => k in properties);
  return { ...signalSchema, required, properties };
})();
const NEW_SIGNAL = { $ref: '#/components/schemas/NewSignal' };

/**
 * The publish routes check only the envelope (domain/signal.ts checks the fields, with the
 * protocol's error shape), so their documented bodies name the fields here instead.
 */
function documentedBody(url: string, body: Record<string, any> | undefined): unknown {
  if (url === '/signals' || url === '/signal') return NEW_SIGNAL;
  if (url === '/signals/batch' && body?.oneOf)
    return {
      oneOf: body.oneOf.map((b: Record<string, any>) =>
        b.type === 'array'
          ? { ...b, items: NEW_SIGNAL }
          : { ...b, properties: { signals: { ...b.properties.signals, items: NEW_SIGNAL } } },
      ),
    };
  return body;
}

const hostOf = (req: FastifyRequest) => req.headers.host ?? `${req.hostname}`;

async function docs(app: FastifyInstance, opts: { secure: boolean }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Catalyst REST API',
        version: API_VERSION,
        description: 'Market news to trading signals. The WebSocket protocol is described at /asyncapi.json.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API token' } },
        // JSON Schema as OpenAPI 3.1 takes it; the swagger types model only the 3.0 subset.
        schemas: {
          Error: errorSchema,
          Signal: signalSchema,
          NewSignal: newSignalSchema,
          SignalFilter: signalFilterSchema,
        } as unknown as Record<string, never>,
      },
    },
    hideUntagged: false,
    transform: ({ schema, url, route }) => {
      const scope = scopeOf(route.preHandler);
      const out: Record<string, unknown> = { ...(schema ?? {}) };
      if (out.body) out.body = documentedBody(url, out.body as Record<string, any>);
      if (scope) {
        out.security = [{ bearer: [] }];
        out.description = `Needs a token with the ${scope} scope${scope === 'admin' ? '' : ' (or admin)'}.`;
        out.tags ??= [url.split('/')[1] ?? 'api'];
      }
      return { schema: out as typeof schema, url };
    },
    transformObject: (doc) => {
      if (!('openapiObject' in doc)) return doc.swaggerObject;
      const openapiObject = doc.openapiObject;
      // Every operation answers errors in one shape; secured ones add 401 and 403.
      for (const item of Object.values(openapiObject.paths ?? {})) {
        for (const op of Object.values(item ?? {}) as Array<Record<string, any>>) {
          if (typeof op !== 'object' || op === null || !('responses' in op)) continue;
          op.responses.default ??= { ...errorResponse('internal'), description: 'an error' };
          if (op.security) {
            op.responses['401'] ??= errorResponse('unauthorized');
            op.responses['403'] ??= errorResponse('forbidden');
          }
        }
      }
      return openapiObject;
    },
  });

  const document = (what: string) => ({
    summary: `The ${what} document`,
    response: { 200: jsonReply(`${what}, generated from the code`, { type: 'object' }) },
  });
  app.get('/openapi.json', { schema: document('OpenAPI 3.1') }, async () => app.swagger());
  app.get('/asyncapi.json', { schema: document('AsyncAPI 3.0 (of /ws)') }, async (req) =>
    buildAsyncApi({ version: API_VERSION, host: hostOf(req), secure: opts.secure }),
  );
}

export const apiDocs = fp(docs, { name: 'catalyst-api-docs' });
