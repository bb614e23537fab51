// Bearer-token authentication for REST routes, as a preHandler per scope.
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { authenticate, bearer, hashToken, hasScope, type Principal } from '../auth/tokens.js';
import { CatalystError } from '../domain/errors.js';
import type { Scope, TokenStore } from '../store/token-store.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export interface RequireScopeOptions {
  /**
   * While the store is unavailable, accept a token this check verified within the last `ms`
   * (at most 100 remembered). For read-only operator views such as /admin/dependencies, which must
   * answer precisely when the store is down; never for routes that change anything.
   */
  staleWhileStoreDownMs?: number;
}

export function requireScope(
  tokens: TokenStore,
  scope: Scope,
  opts: RequireScopeOptions = {},
): preHandlerAsyncHookHandler & { scope: Scope } {
  const staleMs = opts.staleWhileStoreDownMs;
  const verified = new Map<string, { principal: Principal; at: number }>();
  // Tagged with its scope, which the OpenAPI document reads (api/docs.ts).
  const check = async (req: FastifyRequest, _reply: FastifyReply) => {
    const token = bearer(req.headers.authorization);
    if (!token) throw new CatalystError('unauthorized', 'send Authorization: Bearer <token>');
    const key = staleMs === undefined ? '' : hashToken(token);
    let principal: Principal | undefined;
    try {
      principal = await authenticate(tokens, token);
    } catch (err) {
      const hit = staleMs === undefined ? undefined : verified.get(key);
      const down = err instanceof CatalystError && err.code === 'unavailable';
      if (!down || !hit || performance.now() - hit.at > (staleMs ?? 0)) throw err;
      principal = hit.principal;
    }
    if (staleMs !== undefined) {
      verified.delete(key);
      if (principal) {
        if (verified.size >= 100) verified.delete(verified.keys().next().value as string);
        // Monotonic: a step of the wall clock must not stretch how stale an answer may be served.
        verified.set(key, { principal, at: performance.now() });
      }
    }
    if (!principal) throw new CatalystError('unauthorized', 'the token is unknown or revoked');
    if (!hasScope(principal, scope))
      throw new CatalystError('forbidden', `the token lacks the ${scope} scope`);
    req.principal = principal;
  };
  return Object.assign(check, { scope });
}
