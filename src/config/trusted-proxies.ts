// CATALYST_TRUSTED_PROXIES: the peers (IPs or CIDRs, comma-separated) whose X-Forwarded-For /
// X-Real-IP name the client. Behind a proxy every peer is the proxy, so without this the
// per-address limits would throttle all clients together; trusting any peer would let a client
// pick its own address, so only the listed ones are believed.
import { isIP } from 'node:net';
import { ConfigError } from './error.js';

export const TRUSTED_PROXIES_ENV = 'CATALYST_TRUSTED_PROXIES';

/** The listed addresses and CIDRs (empty: no proxy is trusted); throws ConfigError. */
export function parseTrustedProxies(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  const entries = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = entries.filter((e) => !validEntry(e));
  if (bad.length) {
    throw new ConfigError(
      `${TRUSTED_PROXIES_ENV}: expected IP addresses or CIDRs separated by commas (e.g. 10.0.0.0/8,127.0.0.1), got ${bad.map((b) => `"${b}"`).join(', ')}`,
    );
  }
  return entries;
}

function validEntry(entry: string): boolean {
  const [addr = '', bits, extra] = entry.split('/');
  const family = isIP(addr);
  if (!family || extra !== undefined) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}
