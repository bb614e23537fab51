// Bearer-token authentication for REST routes, as a preHandler per scope.
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { authenticate, bearer, hasScope, type Principal } from '../auth/tokens.js';
import { CatalystError } from '../domain/errors.js';
import type { Guard } from '../resilience/guard.js';
import type { Scope, TokenStore } from '../store/token-store.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export function requireScope(tokens: TokenStore, guard: Guard, scope: Scope): preHandlerAsyncHookHandler {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const token = bearer(req.headers.authorization);
    if (!token) throw new CatalystError('unauthorized', 'send Authorization: Bearer <token>');
    const principal = await guard.call(() => authenticate(tokens, token), { idempotent: true });
    if (!principal) throw new CatalystError('unauthorized', 'the token is unknown or revoked');
    if (!hasScope(principal, scope)) throw new CatalystError('forbidden', `the token lacks the ${scope} scope`);
    req.principal = principal;
  };
}
