// Where the client commands (publish, subscribe) find a server, and with which token: the same
// configuration as serve, so `--port 9000` on both sides just works.
import { readFileSync } from 'node:fs';
import type { Config } from '../config.js';
import type { Flags } from '../config.js';
import { UsageError } from './usage-error.js';

export function serverUrl(config: Config, flags: Flags, env = process.env): string {
  const explicit = (flags.server as string | undefined) ?? env.CATALYST_URL;
  if (explicit) return explicit.replace(/\/+$/, '');
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `${config.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

export function token(flags: Flags, env = process.env): string {
  const t = (flags.token as string | undefined) ?? env.CATALYST_TOKEN;
  if (!t)
    throw new UsageError(
      'a token is needed: --token TOKEN or CATALYST_TOKEN (create one with "catalyst tokens create")',
    );
  return t;
}

/** The CA of a server whose certificate a default trust store does not know (--ca FILE). */
export function serverCa(flags: Flags): Buffer | undefined {
  if (flags.ca === undefined) return undefined;
  try {
    return readFileSync(flags.ca as string);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read --ca ${flags.ca as string}: ${code === 'ENOENT' ? 'no such file' : code}`,
    );
  }
}

/** What to do about a failed connection to the server, from its error code or message. */
export function connectionHint(why: string): string {
  if (/ECONNREFUSED/.test(why))
    return 'is `catalyst serve` running there? Point --server or CATALYST_URL at it';
  if (/CERT|certificate|UNABLE_TO_VERIFY|ALTNAME/i.test(why))
    return "the server's certificate is not trusted here: pass its CA with --ca FILE";
  if (/SSL|TLS|EPROTO|wrong version/i.test(why)) return 'a plain HTTP server needs an http:// URL';
  if (/ECONNRESET|hang up|UND_ERR_SOCKET|closed/i.test(why))
    return 'the server closed the connection: if it serves TLS, use an https:// URL';
  return 'check --server or CATALYST_URL';
}

export const CLIENT_FLAGS = {
  server: { type: 'string' },
  token: { type: 'string' },
  ca: { type: 'string' },
} as const;
