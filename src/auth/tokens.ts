// API tokens: opaque, high-entropy, shown once, stored only as a SHA-256 hash. A fast hash is right
// here (unlike passwords): 256 random bits cannot be brute-forced, and every request checks one.
import { createHash, randomBytes } from 'node:crypto';
import { CatalystError } from '../domain/errors.js';
import { SCOPES, type Scope, type TokenRecord, type TokenStore } from '../store/token-store.js';

const PREFIX = 'cat_';

export function generateToken(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** `field` names the input at fault: `scopes` in a REST body, `scope` for the CLI's --scope. */
export function parseScopes(raw: string | string[], field: 'scopes' | 'scope'): Scope[] {
  const list = (Array.isArray(raw) ? raw : raw.split(',')).map((s) => s.trim()).filter(Boolean);
  if (list.length === 0)
    throw new CatalystError('invalid_request', 'at least one scope is required', { field });
  for (const s of list) {
    if (!SCOPES.includes(s as Scope)) {
      throw new CatalystError('invalid_request', `${field} must be any of ${SCOPES.join(', ')}, got "${s}"`, {
        field,
      });
    }
  }
  return [...new Set(list as Scope[])];
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export async function createToken(
  store: TokenStore,
  name: string,
  scopes: Scope[],
): Promise<{ token: string; record: TokenRecord }> {
  if (!NAME.test(name)) {
    throw new CatalystError(
      'invalid_request',
      'name must be 1-64 characters of A-Z, a-z, 0-9, "_", "." or "-"',
      {
        field: 'name',
      },
    );
  }
  const token = generateToken();
  const record = await store.createToken(name, hashToken(token), scopes);
  return { token, record };
}

export interface Principal {
  name: string;
  scopes: Scope[];
  tokenHash: string;
}

/** Admin implies every scope: an operator's token can do what any client can. */
export function hasScope(p: Principal, scope: Scope): boolean {
  return p.scopes.includes(scope) || p.scopes.includes('admin');
}

/** The active token's principal, or undefined for an unknown or revoked token. */
export async function authenticate(store: TokenStore, token: string): Promise<Principal | undefined> {
  if (!token || token.length > 200) return undefined;
  const hash = hashToken(token);
  const rec = await store.findTokenByHash(hash);
  if (!rec || rec.revoked_at) return undefined;
  return { name: rec.name, scopes: rec.scopes, tokenHash: hash };
}

export function bearer(header: string | undefined): string | undefined {
  const m = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return m?.[1];
}
