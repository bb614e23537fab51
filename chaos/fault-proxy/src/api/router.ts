// The route table. Paths are matched after percent-decoding, as gorilla/mux does, so a name holding "/"
// can be created but never addressed. A known path with the wrong method is 405, an unknown one 404.
import { metrics, reset, version } from './admin.js';
import type { Handler } from './context.js';
import { populateHandler } from './populate.js';
import { createProxy, deleteProxy, listConnections, listProxies, showProxy, updateProxy } from './proxies.js';
import { createToxic, deleteToxic, listToxics, showToxic, updateToxic } from './toxics.js';

interface Route {
  methods: string[] | 'any';
  pattern: string[];
  handler: Handler;
}

const route = (methods: string | string[], path: string, handler: Handler): Route => ({
  methods: methods === '*' ? 'any' : Array.isArray(methods) ? methods : [methods],
  pattern: path.split('/').filter(Boolean),
  handler,
});

const ROUTES: Route[] = [
  route('POST', '/reset', reset),
  route('GET', '/proxies', listProxies),
  route('POST', '/proxies', createProxy),
  route('POST', '/populate', populateHandler),
  route('GET', '/proxies/{proxy}', showProxy),
  route(['POST', 'PATCH'], '/proxies/{proxy}', updateProxy),
  route('DELETE', '/proxies/{proxy}', deleteProxy),
  route('GET', '/proxies/{proxy}/toxics', listToxics),
  route('POST', '/proxies/{proxy}/toxics', createToxic),
  route('GET', '/proxies/{proxy}/toxics/{toxic}', showToxic),
  route(['POST', 'PATCH'], '/proxies/{proxy}/toxics/{toxic}', updateToxic),
  route('DELETE', '/proxies/{proxy}/toxics/{toxic}', deleteToxic),
  route('GET', '/proxies/{proxy}/connections', listConnections),
  route('GET', '/version', version),
  route('*', '/metrics', metrics),
];

export type Match = { handler: Handler; params: Record<string, string> } | 'wrong-method' | undefined;

function segments(rawPath: string): string[] | undefined {
  try {
    const path = decodeURIComponent(rawPath);
    return path === '/' ? [] : path.slice(1).split('/');
  } catch {
    return undefined;
  }
}

export function match(method: string, rawPath: string): Match {
  const parts = segments(rawPath);
  if (!parts) return undefined;
  let pathKnown = false;
  for (const r of ROUTES) {
    if (r.pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const fits = r.pattern.every((p, i) => {
      const part = parts[i] as string;
      if (p.startsWith('{')) {
        params[p.slice(1, -1)] = part;
        return part !== '';
      }
      return p === part;
    });
    if (!fits) continue;
    if (r.methods === 'any' || r.methods.includes(method)) return { handler: r.handler, params };
    pathKnown = true;
  }
  return pathKnown ? 'wrong-method' : undefined;
}
