// How route schemas are checked. Bodies are JSON, typed by their sender: never coerced (`{"name": 8}`
// is a 400, not the name "8") and an unknown field is refused, not dropped. Query strings and path
// parameters are text, coerced to their declared types; a coerced number must also be finite. Ajv turns "1e400" and "Infinity" into
// Infinity and then skips its minimum/maximum checks (it applies them only to finite numbers), so
// `since_seq=1e400` would pass a schema that says `integer, maximum: ...`.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

// Fastify's own defaults otherwise (allErrors stays off: collecting every error of a hostile body is
// a denial of service).
const common = { useDefaults: true, addUsedSchema: false, allErrors: false } as const;
const jsonAjv = new Ajv({ ...common, coerceTypes: false, removeAdditional: false });
// Never 'array' (Fastify's default), which would wrap a scalar into a list.
const textAjv = new Ajv({ ...common, coerceTypes: true, removeAdditional: true });

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

export const compileValidator: FastifySchemaCompiler<Record<string, unknown>> = ({ schema, httpPart }) =>
  httpPart === 'body' ? jsonAjv.compile(schema) : finiteNumbers(textAjv.compile(schema));
