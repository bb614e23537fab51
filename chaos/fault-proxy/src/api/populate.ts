// POST /populate and the --config file, which share its format: a JSON array of proxies. Every entry is
// checked before any is applied. Unlike Toxiproxy, an empty result is [] rather than null, because
// toxiproxy-node-client iterates over it.
import { ApiError, errors } from '../errors.js';
import type { ProxyInput, ProxyRegistry } from '../registry.js';
import type { Handler } from './context.js';
import { decodeStruct, jsonKind, parseBody } from './decode.js';
import { type Reply, json } from './respond.js';

const GO_TYPE = '[]struct { toxiproxy.Proxy; Enabled *bool "json:\\"enabled\\"" }';

export function decodePopulate(body: string): ProxyInput[] {
  const value = parseBody(body);
  if (value === null) return [];
  if (!Array.isArray(value))
    throw errors.badBody(`json: cannot unmarshal ${jsonKind(value)} into Go value of type ${GO_TYPE}`);
  const entries = value.map((entry) =>
    decodeStruct(entry, {
      struct: '',
      fields: { name: 'string', listen: 'string', upstream: 'string', enabled: 'bool' },
      notObject: (k) => `json: cannot unmarshal ${k} into Go value of type ${GO_TYPE.slice(2)}`,
    }),
  ) as Array<Partial<ProxyInput>>;
  entries.forEach((e, i) => {
    if (!e.name) throw errors.missingField(`name at proxy ${i + 1}`);
    if (!e.upstream) throw errors.missingField(`upstream at proxy ${i + 1}`);
  });
  return entries.map((e) => ({
    name: e.name ?? '',
    upstream: e.upstream ?? '',
    listen: e.listen ?? '',
    enabled: e.enabled ?? true,
  }));
}

/** Populate answers in JSON even on error (application/json, no trailing newline), unlike other routes. */
export async function populate(registry: ProxyRegistry, body: string): Promise<Reply> {
  let inputs: ProxyInput[];
  try {
    inputs = decodePopulate(body);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return json(err.status, { error: err.message, status: err.status, proxies: null });
  }
  const { done, error } = await registry.populate(inputs);
  const proxies = done.map((p) => p.toJSON());
  return error
    ? json(error.status, { error: error.message, status: error.status, proxies })
    : json(201, { proxies });
}

export const populateHandler: Handler = (ctx, req) => populate(ctx.registry, req.body);
