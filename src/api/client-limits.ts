// Limits that run before any authentication, per client address (req.ip: the peer, or the client a
// trusted proxy names). An attacker's cheapest moves, a flood of bad tokens or of sockets that never
// authenticate, are refused here with a 429 before they cost a token lookup or a held socket.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { rateLimitedError, type RateLimiter } from '../resilience/rate-limits.js';

export interface ClientLimitsOptions {
  /** Failed authentications per address: past its budget, requests with credentials get 429. */
  authFailures: RateLimiter;
  /** WebSocket upgrades per address. */
  upgrades: RateLimiter;
  /** Connections of an address still waiting for their auth, and how many it may hold. */
  unauthenticated?: { count(address: string): number; max: number };
}

const UNLIMITED = ['/health/', '/metrics'];

export function installClientLimits(app: FastifyInstance, opts: ClientLimitsOptions): void {
  app.addHook('onRequest', async (req) => {
    if (UNLIMITED.some((p) => req.url.startsWith(p))) return;
    const upgrade = isUpgrade(req);
    // Only requests that would look a token up are checked: the rest never reach the store.
    if (upgrade || req.headers.authorization !== undefined) {
      const blocked = await opts.authFailures.peek(req.ip);
      if (!blocked.allowed) refuse(blocked.retryAfterMs, 'too many failed authentications from this address');
    }
    if (!upgrade) return;
    const upgrades = await opts.upgrades.consume(req.ip);
    if (!upgrades.allowed) refuse(upgrades.retryAfterMs, 'too many WebSocket connects from this address');
    const pending = opts.unauthenticated;
    if (pending && pending.count(req.ip) >= pending.max)
      refuse(1000, 'too many connections from this address that have not authenticated');
  });
  app.addHook('onResponse', async (req, reply) => {
    if (reply.statusCode === 401) await opts.authFailures.consume(req.ip);
  });
}

function isUpgrade(req: FastifyRequest): boolean {
  return String(req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

/** Thrown, so the error handler answers it (and drains a body the client is still sending). */
function refuse(retryAfterMs: number, message: string): never {
  throw rateLimitedError({ retryAfterMs }, message);
}
