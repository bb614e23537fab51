// The operator console: static files served at /console. They use only the public API (admin
// routes, /metrics, the WebSocket protocol) with a token the operator pastes in.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

// From src/api (tsx) this is the repo's console/; from dist/src/api (the build) it is dist/console/,
// where `npm run build` copies it.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../console');

// The console holds an admin token: no script, style or connection from anywhere but this node.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export async function consoleRoutes(app: FastifyInstance): Promise<void> {
  if (!existsSync(ROOT)) {
    app.log.warn({ dir: ROOT }, 'console files not found: run `npm run build`; /console is not served');
    return;
  }
  // Relative URLs in the page resolve under /console/ only with the trailing slash.
  app.get('/console', { schema: { hide: true } }, (_req, reply) => reply.redirect('/console/'));
  await app.register(fastifyStatic, {
    root: ROOT,
    prefix: '/console/',
    setHeaders: (res) => {
      res.setHeader('content-security-policy', CSP);
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('referrer-policy', 'no-referrer');
    },
  });
}
