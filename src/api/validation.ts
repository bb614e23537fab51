// How route schemas are checked. Query strings and path parameters are text, coerced to their
// declared types; a coerced number must also be finite. Ajv turns "1e400" and "Infinity" into
// Infinity and then skips its minimum/maximum checks (it applies them only to finite numbers), so
// `since_seq=1e400` would pass a schema that says `integer, maximum: ...`.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

// Fastify's own defaults, except coercion: never 'array', which would wrap a scalar into a list.
const textAjv = new Ajv({
  coerceTypes: true,
  useDefaults: true,
  removeAdditional: true,
  addUsedSchema: false,
  allErrors: false,
});

/** The first property of a parsed query or path that is a number but not a finite one. */
function nonFinite(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'number' && !Number.isFinite(value)) return key;
  }
  return undefined;
}

function finiteNumbers(validate: ValidateFunction): ValidateFunction {
  const checked = ((data: unknown) => {
    if (!validate(data)) {
      checked.errors = validate.errors;
      return false;
    }
    const key = nonFinite(data);
    const error: ErrorObject = {
      instancePath: `/${key}`,
      schemaPath: '#/type',
      keyword: 'type',
      params: {},
      message: 'must be a finite number',
    };
    checked.errors = key === undefined ? null : [error];
    return key === undefined;
  }) as ValidateFunction;
  return checked;
}

export const compileValidator: FastifySchemaCompiler<Record<string, unknown>> = ({ schema }) =>
  finiteNumbers(textAjv.compile(schema));
