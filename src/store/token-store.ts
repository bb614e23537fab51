// The TokenStore port: API tokens, kept only as hashes. Implemented by the same adapters as the
// EventStore (one database), but a port of its own because its users differ.

export type Scope = 'publish' | 'subscribe' | 'admin';
export const SCOPES: readonly Scope[] = ['publish', 'subscribe', 'admin'];

export interface TokenRecord {
  name: string;
  scopes: Scope[];
  created_at: string;
  revoked_at: string | null;
}

/** Every method takes the caller's AbortSignal and passes it to the driver (see EventStore). */
export interface TokenStore {
  /** Stores a new token by its hash. Rejects with CatalystError('conflict') when the name exists. */
  createToken(name: string, hash: string, scopes: Scope[], signal?: AbortSignal): Promise<TokenRecord>;
  /** The token with this hash, revoked or not; undefined if unknown. */
  findTokenByHash(hash: string, signal?: AbortSignal): Promise<(TokenRecord & { hash: string }) | undefined>;
  listTokens(signal?: AbortSignal): Promise<TokenRecord[]>;
  /** Marks the token revoked; false if no active token has that name. */
  revokeToken(name: string, signal?: AbortSignal): Promise<boolean>;
  /** Hashes of tokens revoked at or after `since` (ISO time): lets gateways drop their sessions. */
  revokedSince(since: string, signal?: AbortSignal): Promise<string[]>;
}
