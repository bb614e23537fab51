// The signal as the protocol defines it, and the validation every publisher's input goes through.
import { CatalystError } from './errors.js';
import { parseRfc3339, RFC3339_EXAMPLE } from './instant.js';
import { characters, hasLoneSurrogate, loneSurrogateMessage } from './text.js';

export interface SignalInput {
  id: string;
  ticker: string;
  title: string;
  source: string;
  url?: string;
  catalyst: string;
  sentiment: number;
  confidence: number;
  score?: number;
  published_at: string;
  metadata?: Record<string, unknown>;
}

export interface Signal extends SignalInput {
  seq: number;
  created_at: string;
}

export const SIGNAL_LIMITS = {
  idMax: 200,
  titleMax: 1000,
  sourceMax: 100,
  urlMax: 2048,
  catalystMax: 64,
  metadataMaxBytes: 8 * 1024,
  metadataMaxDepth: 16,
  /** A publisher's own score may use any scale within these; the pipeline's lies in 0..1.82. */
  scoreMin: -1e6,
  scoreMax: 1e6,
} as const;

/**
 * What is wrong with a parsed JSON value, if anything: objects or arrays nested deeper than `max`,
 * or a key or string holding a lone surrogate. Iterative, no recursion.
 */
function jsonFault(value: unknown, max: number): 'depth' | 'surrogate' | undefined {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v === 'string' && hasLoneSurrogate(v)) return 'surrogate';
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return 'depth';
    for (const [key, child] of Object.entries(v)) {
      if (hasLoneSurrogate(key)) return 'surrogate';
      stack.push([child, depth + 1]);
    }
  }
  return undefined;
}

// C0 controls and DEL; tab, newline and carriage return are fine in text.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/** What a stored ticker looks like (after upper-casing); filters are held to the same form. */
export const TICKER = /^[A-Z0-9.-]{1,10}$/;
const CATALYST = /^[a-z][a-z0-9_]*$/;
const ID = /^[\x21-\x7e]+$/; // printable ASCII, no spaces: ids travel in URLs and logs
const FIELDS = new Set([
  'id',
  'ticker',
  'title',
  'source',
  'url',
  'catalyst',
  'sentiment',
  'confidence',
  'score',
  'published_at',
  'metadata',
]);

const invalid = (field: string, message: string) => new CatalystError('invalid_request', message, { field });

function str(o: Record<string, unknown>, field: string, max: number, required = true): string | undefined {
  const v = o[field];
  if (v === undefined || v === null) {
    if (required) throw invalid(field, `${field} is required`);
    return undefined;
  }
  if (typeof v !== 'string') throw invalid(field, `${field} must be a string`);
  if (required && v.length === 0) throw invalid(field, `${field} must not be empty`);
  if (characters(v) > max) throw invalid(field, `${field} must be at most ${max} characters`);
  // Control characters corrupt logs and terminals, and PostgreSQL TEXT cannot store NUL at all.
  if (CONTROL.test(v)) throw invalid(field, `${field} must not contain control characters`);
  if (hasLoneSurrogate(v)) throw invalid(field, loneSurrogateMessage(field));
  return v;
}

function num(o: Record<string, unknown>, field: string, min: number, max: number, required = true) {
  const v = o[field];
  if (v === undefined || v === null) {
    if (required) throw invalid(field, `${field} is required`);
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(field, `${field} must be a number`);
  if (v < min || v > max) throw invalid(field, `${field} must be between ${min} and ${max}`);
  return v;
}

/** An RFC 3339 date-time of a day and time that exist, normalised to ISO UTC. */
function timestamp(o: Record<string, unknown>, field: string): string {
  const v = str(o, field, 64) as string;
  const t = parseRfc3339(v);
  if (t === undefined) {
    throw invalid(
      field,
      `${field} must be an RFC 3339 date-time of a real day and time, with a zone, such as ${RFC3339_EXAMPLE}`,
    );
  }
  return new Date(t).toISOString();
}

/**
 * Validates and normalises a publisher's signal. Throws CatalystError('invalid_request') naming the
 * field at fault. Server-set fields (`seq`, `created_at`) are rejected rather than silently ignored,
 * so a client that thinks it sets them learns it does not.
 */
export function parseSignalInput(raw: unknown): SignalInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalid('body', 'a signal must be a JSON object');
  }
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k === 'seq' || k === 'created_at') throw invalid(k, `${k} is set by the server`);
    if (!FIELDS.has(k)) throw invalid(k, `unknown field ${k}`);
  }
  const id = str(o, 'id', SIGNAL_LIMITS.idMax) as string;
  if (!ID.test(id)) throw invalid('id', 'id must be printable ASCII without spaces');
  const ticker = str(o, 'ticker', 10) as string;
  if (!TICKER.test(ticker)) throw invalid('ticker', 'ticker must be 1-10 characters of A-Z, 0-9, "." or "-"');
  const catalyst = str(o, 'catalyst', SIGNAL_LIMITS.catalystMax) as string;
  if (!CATALYST.test(catalyst)) throw invalid('catalyst', 'catalyst must be lower snake case');
  const signal: SignalInput = {
    id,
    ticker,
    title: str(o, 'title', SIGNAL_LIMITS.titleMax) as string,
    source: str(o, 'source', SIGNAL_LIMITS.sourceMax) as string,
    catalyst,
    sentiment: num(o, 'sentiment', -1, 1) as number,
    confidence: num(o, 'confidence', 0, 1) as number,
    published_at: timestamp(o, 'published_at'),
  };
  const url = str(o, 'url', SIGNAL_LIMITS.urlMax, false);
  if (url !== undefined) {
    if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) throw invalid('url', 'url must be an http(s) URL');
    signal.url = url;
  }
  const score = num(o, 'score', SIGNAL_LIMITS.scoreMin, SIGNAL_LIMITS.scoreMax, false);
  if (score !== undefined) signal.score = score;
  if (o.metadata !== undefined && o.metadata !== null) {
    const m = o.metadata;
    if (typeof m !== 'object' || Array.isArray(m))
      throw invalid('metadata', 'metadata must be a JSON object');
    // Before serialising: a body nested thousands deep would overflow the stack (a 500).
    const fault = jsonFault(m, SIGNAL_LIMITS.metadataMaxDepth);
    if (fault === 'depth') {
      throw invalid(
        'metadata',
        `metadata must be nested at most ${SIGNAL_LIMITS.metadataMaxDepth} levels deep`,
      );
    }
    if (fault === 'surrogate') throw invalid('metadata', loneSurrogateMessage('metadata'));
    if (Buffer.byteLength(JSON.stringify(m)) > SIGNAL_LIMITS.metadataMaxBytes) {
      throw invalid('metadata', `metadata must be at most ${SIGNAL_LIMITS.metadataMaxBytes} bytes of JSON`);
    }
    signal.metadata = m as Record<string, unknown>;
  }
  return signal;
}

/** Canonical JSON of the publisher-supplied content: equal content, equal string (key order ignored). */
export function contentKey(s: SignalInput): string {
  return canonicalJson({ ...s });
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The stored form, with the protocol's field order (clients print it as-is). */
export function storedSignal(input: SignalInput, seq: number, created_at: string): Signal {
  const s: Signal = {
    seq,
    id: input.id,
    ticker: input.ticker,
    title: input.title,
    source: input.source,
    catalyst: input.catalyst,
    sentiment: input.sentiment,
    confidence: input.confidence,
    published_at: input.published_at,
    created_at,
  };
  if (input.url !== undefined) s.url = input.url;
  if (input.score !== undefined) s.score = input.score;
  if (input.metadata !== undefined) s.metadata = input.metadata;
  return s;
}
