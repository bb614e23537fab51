// Request bodies decoded the way Go's encoding/json decodes them into Toxiproxy's structs: any
// Content-Type, unknown fields ignored, keys matched case-insensitively, null leaving a field alone, and
// a wrong JSON type rejected with Go's own error text.
import { errors } from '../errors.js';

/** `raw` takes any JSON value: a nested struct decoded in a second pass, as Toxiproxy does with attributes. */
export type GoType = 'string' | 'bool' | 'int64' | 'int' | 'float32' | 'raw';
export type Fields = Record<string, GoType>;

export interface StructSpec {
  /** How Go names the field's struct in "Go struct field X.path". */
  struct: string;
  fields: Fields;
  /** Message for a value that is not an object at all. */
  notObject: (kind: string) => string;
  /** Prefix of nested field paths ("attributes."). */
  path?: string;
}

/** The first JSON value of the body; an empty body is Go's EOF. */
export function parseBody(text: string): unknown {
  if (text.trim() === '') throw errors.badBody('EOF');
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/end of (JSON|data)|Unterminated/i.test(message)) throw errors.badBody('unexpected EOF');
    const token = /Unexpected token '?(.)/.exec(message)?.[1] ?? text.trim()[0];
    throw errors.badBody(`invalid character '${token}' looking for beginning of value`);
  }
}

export function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'object' ? 'object' : typeof value;
}

function fits(value: unknown, type: GoType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'bool':
      return typeof value === 'boolean';
    case 'float32':
      return typeof value === 'number';
    case 'raw':
      return true;
    default:
      return typeof value === 'number' && Number.isSafeInteger(value);
  }
}

/** Known fields present in `value` (null skipped), keyed by their canonical JSON name. */
export function decodeStruct(value: unknown, spec: StructSpec): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (jsonKind(value) !== 'object') throw errors.badBody(spec.notObject(jsonKind(value)));
  const out: Record<string, unknown> = {};
  const names = Object.keys(spec.fields);
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const name = names.find((n) => n === key) ?? names.find((n) => n.toLowerCase() === key.toLowerCase());
    if (name === undefined || v === null) continue;
    const type = spec.fields[name] as GoType;
    if (!fits(v, type)) {
      const what = typeof v === 'number' ? `number ${v}` : jsonKind(v);
      const shown = typeof v === 'number' && (type === 'string' || type === 'bool') ? 'number' : what;
      throw errors.badBody(
        `json: cannot unmarshal ${shown} into Go struct field ${spec.struct}.${spec.path ?? ''}${name} of type ${type}`,
      );
    }
    out[name] = v;
  }
  return out;
}
