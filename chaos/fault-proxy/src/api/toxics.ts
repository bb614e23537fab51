// /proxies/{proxy}/toxics[/{toxic}]. Creation checks run in Toxiproxy's order (body, stream, type,
// duplicate name, attributes) so the same bad request gets the same error.
import { errors } from '../errors.js';
import { Toxic, directionOf } from '../toxic.js';
import { completeAttributes, toxicKind } from '../toxics/kinds.js';
import type { Attributes, ToxicKind } from '../toxics/runner.js';
import type { ApiRequest, ApiContext, Handler } from './context.js';
import { type Fields, decodeStruct, parseBody } from './decode.js';
import { empty, json } from './respond.js';

function decodeAttributes(kind: ToxicKind, value: unknown): Attributes {
  const fields: Fields = Object.fromEntries(kind.attributes.map((a) => [a.name, a.goType]));
  return decodeStruct(value, {
    struct: kind.goStruct,
    path: 'attributes.',
    fields,
    notObject: (k) =>
      `json: cannot unmarshal ${k} into Go struct field .attributes of type toxics.${kind.goStruct}`,
  }) as Attributes;
}

function findToxic(ctx: ApiContext, req: ApiRequest) {
  const proxy = ctx.registry.get(req.params.proxy ?? '');
  const toxic = proxy.findToxic(req.params.toxic ?? '');
  if (!toxic) throw errors.toxicNotFound();
  return { proxy, toxic };
}

export const listToxics: Handler = (ctx, req) =>
  json(
    200,
    ctx.registry.get(req.params.proxy ?? '').toxics.map((t) => t.toJSON()),
  );

export const createToxic: Handler = (ctx, req) => {
  const proxy = ctx.registry.get(req.params.proxy ?? '');
  const input = decodeStruct(parseBody(req.body), {
    struct: 'ToxicWrapper',
    fields: { name: 'string', type: 'string', stream: 'string', toxicity: 'float32', attributes: 'raw' },
    notObject: (k) => `json: cannot unmarshal ${k} into Go value of type toxics.ToxicWrapper`,
  }) as { name?: string; type?: string; stream?: string; toxicity?: number; attributes?: unknown };
  const stream = input.stream ?? 'downstream';
  if (!directionOf(stream)) throw errors.invalidStream();
  const kind = toxicKind(input.type ?? '');
  if (!kind) throw errors.invalidToxicType();
  const name = input.name || `${kind.type}_${stream}`;
  if (proxy.findToxic(name)) throw errors.toxicExists();
  const attributes = completeAttributes(kind, decodeAttributes(kind, input.attributes));
  const toxic = new Toxic(name, kind, stream, input.toxicity ?? 1, attributes);
  proxy.addToxic(toxic);
  return json(200, toxic.toJSON());
};

export const showToxic: Handler = (ctx, req) => json(200, findToxic(ctx, req).toxic.toJSON());

/** Only attributes (merged into the current ones) and toxicity are read; live links see it at once. */
export const updateToxic: Handler = (ctx, req) => {
  const { proxy, toxic } = findToxic(ctx, req);
  const input = decodeStruct(parseBody(req.body), {
    struct: '',
    fields: { attributes: 'raw', toxicity: 'float32' },
    notObject: (k) =>
      `json: cannot unmarshal ${k} into Go value of type struct { Attributes interface {} "json:\\"attributes\\""; Toxicity float32 "json:\\"toxicity\\"" }`,
  }) as { attributes?: unknown; toxicity?: number };
  const attributes = { ...toxic.attributes, ...decodeAttributes(toxic.kind, input.attributes) };
  toxic.attributes = attributes;
  if (input.toxicity !== undefined) toxic.toxicity = input.toxicity;
  proxy.toxicChanged(toxic);
  return json(200, toxic.toJSON());
};

export const deleteToxic: Handler = (ctx, req) => {
  const { proxy, toxic } = findToxic(ctx, req);
  proxy.removeToxic(toxic);
  return empty(204);
};
