// Server-wide routes: /version, /reset, /metrics.
import type { Handler } from './context.js';
import { empty } from './respond.js';

export const VERSION = '2.12.0';

/** Byte-exact with Toxiproxy: the space after the colon, the newline and the charset spelling. */
export const version: Handler = () => ({
  status: 200,
  body: `{"version": "${VERSION}"}\n`,
  contentType: 'application/json;charset=utf-8',
});

export const reset: Handler = async (ctx) => {
  await ctx.registry.reset();
  return empty(204);
};

export const metrics: Handler = (ctx) => ({
  status: 200,
  body: ctx.metrics(),
  contentType: 'text/plain; version=0.0.4; charset=utf-8',
});
