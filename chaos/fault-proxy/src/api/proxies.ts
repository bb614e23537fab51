// /proxies and /proxies/{proxy}: create, list, show, update (POST or PATCH), delete, and the live
// connection view that Toxiproxy does not have.
import { errors } from '../errors.js';
import type { Proxy } from '../proxy.js';
import type { ProxyInput } from '../registry.js';
import type { Handler } from './context.js';
import { decodeStruct, parseBody } from './decode.js';
import { empty, json } from './respond.js';

const PROXY_FIELDS = { name: 'string', listen: 'string', upstream: 'string', enabled: 'bool' } as const;

function decodeProxy(body: string): Partial<ProxyInput> {
  return decodeStruct(parseBody(body), {
    struct: 'Proxy',
    fields: PROXY_FIELDS,
    notObject: (kind) => `json: cannot unmarshal ${kind} into Go value of type toxiproxy.Proxy`,
  }) as Partial<ProxyInput>;
}

export const proxyMap = (proxies: Proxy[]) => Object.fromEntries(proxies.map((p) => [p.name, p.toJSON()]));

export const listProxies: Handler = (ctx) => json(200, proxyMap(ctx.registry.all()));

export const createProxy: Handler = async (ctx, req) => {
  const input = decodeProxy(req.body);
  if (!input.name) throw errors.missingField('name');
  if (!input.upstream) throw errors.missingField('upstream');
  const proxy = await ctx.registry.create({
    name: input.name,
    listen: input.listen ?? '',
    upstream: input.upstream,
    enabled: input.enabled ?? true,
  });
  return json(201, proxy.toJSON());
};

export const showProxy: Handler = (ctx, req) => json(200, ctx.registry.get(req.params.proxy ?? '').toJSON());

/** The body is laid over the current values, so `{"enabled":false}` alone is an update; name is ignored. */
export const updateProxy: Handler = async (ctx, req) => {
  const proxy = ctx.registry.get(req.params.proxy ?? '');
  const input = decodeProxy(req.body);
  await ctx.registry.update(proxy, {
    name: proxy.name,
    listen: input.listen ?? proxy.listen,
    upstream: input.upstream ?? proxy.upstream,
    enabled: input.enabled ?? proxy.enabled,
  });
  return json(200, proxy.toJSON());
};

export const deleteProxy: Handler = async (ctx, req) => {
  await ctx.registry.remove(req.params.proxy ?? '');
  return empty(204);
};

export const listConnections: Handler = (ctx, req) =>
  json(200, ctx.registry.get(req.params.proxy ?? '').connectionViews());
