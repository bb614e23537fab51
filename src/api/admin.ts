// Admin routes: tokens (the REST twin of `catalyst tokens ...`) and dependency state.
import type { FastifyInstance } from 'fastify';
import { createToken, parseScopes } from '../auth/tokens.js';
import { errorBody } from '../domain/errors.js';
import { SCOPES, type TokenStore } from '../store/token-store.js';
import { requireScope } from './auth.js';
import { dependencySnapshot, errorReply, jsonReply, noContent, tokenRecord } from './response-schemas.js';
import { snakeKeys } from './snake-case.js';

export interface AdminDeps {
  tokens: TokenStore;
  dependencies(): unknown;
  /** Closes this node's sessions of a revoked token at once; other nodes notice by polling. */
  onRevoked?(name: string): void;
}

const tokenBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', description: '1-64 characters of A-Z, a-z, 0-9, "_", "." or "-"' },
    scopes: {
      type: 'array',
      items: { type: 'string' },
      minItems: 1,
      default: ['subscribe'],
      description: `any of ${SCOPES.join(', ')}`,
    },
  },
} as const;

export async function adminRoutes(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  const admin = requireScope(deps.tokens, 'admin');

  app.post('/admin/tokens', {
    schema: {
      body: tokenBody,
      response: {
        201: jsonReply('created; the token is shown this once and never again', {
          ...tokenRecord,
          required: [...tokenRecord.required, 'token'],
          properties: { ...tokenRecord.properties, token: { type: 'string' } },
        }),
      },
    },
    preHandler: admin,
    handler: async (req, reply) => {
      const body = req.body as { name: string; scopes: string[] };
      const scopes = parseScopes(body.scopes, 'scopes');
      const { token, record } = await createToken(deps.tokens, body.name, scopes);
      return reply.code(201).send({ ...record, token });
    },
  });

  const tokenList = {
    type: 'object',
    required: ['tokens'],
    properties: { tokens: { type: 'array', items: tokenRecord } },
  };
  app.get(
    '/admin/tokens',
    { schema: { response: { 200: jsonReply('every token', tokenList) } }, preHandler: admin },
    async () => ({
      tokens: await deps.tokens.listTokens(),
    }),
  );

  app.delete('/admin/tokens/:name', {
    schema: {
      params: { type: 'object', properties: { name: { type: 'string' } } },
      response: {
        204: noContent("revoked; the token's sessions end"),
        404: errorReply('no active token of this name'),
      },
    },
    preHandler: admin,
    handler: async (req, reply) => {
      const { name } = req.params as { name: string };
      const revoked = await deps.tokens.revokeToken(name);
      if (!revoked) return reply.code(404).send(errorBody('not_found', `no active token named ${name}`));
      deps.onRevoked?.(name);
      return reply.code(204).send();
    },
  });

  // Read-only and most needed while the store is down: a token verified in the last 10 minutes still
  // opens it then (the check above would answer 503 with the store's breaker open).
  const adminWhileStoreDown = requireScope(deps.tokens, 'admin', {
    staleWhileStoreDownMs: 600_000,
  });
  const dependencyList = {
    type: 'object',
    required: ['dependencies'],
    properties: { dependencies: { type: 'object', additionalProperties: dependencySnapshot } },
  };
  const dependencySchema = {
    response: { 200: jsonReply("each dependency's breaker, counts, last error and policy", dependencyList) },
  };
  app.get('/admin/dependencies', { schema: dependencySchema, preHandler: adminWhileStoreDown }, async () => ({
    // Policies are TypeScript config (timeoutMs); the protocol speaks snake_case (timeout_ms).
    dependencies: snakeKeys(deps.dependencies()),
  }));
}
