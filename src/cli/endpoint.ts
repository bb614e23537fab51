// Where the client commands (publish, subscribe) find a server, and with which token: the same
// configuration as serve, so `--port 9000` on both sides just works.
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

export const CLIENT_FLAGS = {
  server: { type: 'string' },
  token: { type: 'string' },
} as const;
