import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Command } from '../cli.js';
import { loadConfig } from '../config.js';
import { CatalystError } from '../domain/errors.js';
import { CLIENT_FLAGS, connectionHint, serverCa, serverUrl, token } from './endpoint.js';
import { UsageError } from './usage-error.js';

const FIELD_FLAGS = ['id', 'ticker', 'title', 'source', 'catalyst', 'published-at'] as const;
const NUMBER_FLAGS = ['sentiment', 'confidence', 'score'] as const;

function fromFlags(flags: Record<string, unknown>): Record<string, unknown> {
  const s: Record<string, unknown> = {
    id: `cli-${randomUUID()}`,
    source: 'cli',
    published_at: new Date().toISOString(),
  };
  for (const f of FIELD_FLAGS) if (flags[f] !== undefined) s[f.replace('-', '_')] = flags[f];
  for (const f of NUMBER_FLAGS) {
    if (flags[f] === undefined) continue;
    const n = Number(flags[f]);
    if (!Number.isFinite(n)) throw new UsageError(`--${f} must be a number, got "${flags[f]}"`);
    s[f] = n;
  }
  if (flags.link !== undefined) s.url = flags.link;
  if (flags.metadata !== undefined) {
    try {
      s.metadata = JSON.parse(flags.metadata as string);
    } catch {
      throw new UsageError('--metadata must be a JSON object');
    }
  }
  return s;
}

export const publishCommand: Command = {
  summary: 'publish a signal',
  usage: `Usage:
  catalyst publish --ticker NBTX --title "..." --catalyst fda --sentiment 0.6 --confidence 0.82
                   [--id ID] [--source S] [--score N] [--link URL] [--published-at TIME] [--metadata JSON]
  catalyst publish --file signal.json      (an object, or an array sent as one batch)
  echo '{...}' | catalyst publish --file -

Prints the server's answer as JSON on stdout; exits 1 if the signal (or any item of a batch) was
not stored, naming each refused item on stderr.
Server: --server URL or CATALYST_URL (default from --host/--port); token: --token or CATALYST_TOKEN;
--ca FILE trusts a server whose certificate a private CA signed.
A server that is still starting (connection refused) is waited for up to --wait seconds (default 10).`,
  settings: 'client',
  options: {
    ...CLIENT_FLAGS,
    file: { type: 'string' },
    id: { type: 'string' },
    ticker: { type: 'string' },
    title: { type: 'string' },
    source: { type: 'string' },
    catalyst: { type: 'string' },
    sentiment: { type: 'string' },
    confidence: { type: 'string' },
    score: { type: 'string' },
    link: { type: 'string' },
    'published-at': { type: 'string' },
    metadata: { type: 'string' },
    wait: { type: 'string' },
  },
  async run(flags) {
    const config = loadConfig(flags);
    let body: unknown;
    if (flags.file !== undefined) {
      let text: string;
      try {
        text = readFileSync(flags.file === '-' ? 0 : (flags.file as string), 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why =
          code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : (err as Error).message;
        throw new UsageError(`cannot read --file ${flags.file as string}: ${why}`);
      }
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw new UsageError(
          `${flags.file === '-' ? 'stdin' : flags.file} is not JSON: ${(err as Error).message}`,
        );
      }
    } else body = fromFlags(flags);
    const batch = Array.isArray(body);
    const waitSec = flags.wait === undefined ? 10 : Number(flags.wait);
    if (!Number.isFinite(waitSec) || waitSec < 0)
      throw new UsageError(`--wait must be a number of seconds, got "${flags.wait}"`);
    const res = await postWhenUp(
      `${serverUrl(config, flags)}/signals${batch ? '/batch' : ''}`,
      { 'content-type': 'application/json', authorization: `Bearer ${token(flags)}` },
      JSON.stringify(batch ? { signals: body } : body),
      serverCa(flags),
      waitSec * 1000,
    );
    const text = res.text;
    process.stdout.write(`${text.trim()}\n`);
    if (res.status < 200 || res.status > 299) {
      const retry = res.retryAfter;
      process.stderr.write(
        `not stored: HTTP ${res.status}${retry ? `, retry after ${retry} s with the same id` : ''}\n`,
      );
      return 1;
    }
    return batch ? reportRejected(text, body as unknown[]) : 0;
  },
};

interface Answer {
  status: number;
  retryAfter: string | undefined;
  text: string;
}

/** One POST with node:http(s), which take a CA (fetch does not): --ca for a private CA. */
function post(url: string, headers: Record<string, string>, body: string, ca?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const options = {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      ...(ca ? { ca } : {}),
    };
    const req = request(target, options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('error', reject);
      res.on('end', () => {
        const retry = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, retryAfter: Array.isArray(retry) ? retry[0] : retry, text });
      });
    });
    req.setTimeout(30_000, () =>
      req.destroy(Object.assign(new Error('no answer in 30 s'), { code: 'ETIMEDOUT' })),
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * POSTs, waiting while the connection is refused (a server started with `serve &` a moment ago is
 * still opening its store). Anything else, or a refusal past the wait, is one line naming the cause.
 */
async function postWhenUp(
  url: string,
  headers: Record<string, string>,
  body: string,
  ca: Buffer | undefined,
  waitMs: number,
): Promise<Answer> {
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    try {
      return await post(url, headers, body, ca);
    } catch (err) {
      const { code, message } = err as NodeJS.ErrnoException;
      if (code !== 'ECONNREFUSED' || Date.now() >= deadline) {
        const why = code ?? message;
        throw new CatalystError(
          'unavailable',
          `cannot reach the server at ${url} (${why}): ${connectionHint(`${why} ${message}`)}`,
        );
      }
      if (!told) process.stderr.write(`waiting for the server at ${url} to start...\n`);
      told = true;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

interface BatchResult {
  status: number;
  error?: { code: string; message: string; field?: string };
}

/** A batch answers 201 even when items were refused: name each refused one, and exit 1. */
function reportRejected(text: string, items: unknown[]): number {
  let results: BatchResult[];
  try {
    results = (JSON.parse(text) as { results: BatchResult[] }).results;
  } catch {
    process.stderr.write('the server answered a batch without results; check --server\n');
    return 1;
  }
  const refused = results.flatMap((r, i) => (r.status >= 400 ? [{ r, i }] : []));
  for (const { r, i } of refused) {
    const id = (items[i] as { id?: unknown } | null)?.id;
    const field = r.error?.field ? ` (field ${r.error.field})` : '';
    process.stderr.write(
      `item ${i}${typeof id === 'string' ? ` (id ${id})` : ''} not stored: HTTP ${r.status} ${r.error?.code ?? ''}: ${r.error?.message ?? ''}${field}\n`,
    );
  }
  if (refused.length === 0) return 0;
  process.stderr.write(`${refused.length} of ${results.length} items not stored\n`);
  return 1;
}
