// The TokenStore port with verified tokens (and, briefly, unknown ones) remembered, so a REST
// request or a WebSocket auth does not cost a store lookup each time.
//
// The bound on revocation: every `pollMs` the cache asks the store which tokens were revoked since
// its last poll (with an overlap for clock skew and late commits) and forgets them. An entry is only
// served while the last successful poll started less than `maxStaleMs` ago; a revocation committed
// after that poll's start is then at most `maxStaleMs` old when the stale entry is served. When the
// polls fail (store down) entries stop being served within `maxStaleMs`: the cache never stretches a
// revoked token's life, whatever the store does. Revocations through this node forget at once.
//
// Ages are measured on the monotonic clock, and the poll cursor is the earlier of the wall clock and
// the wall time at start advanced by the monotonic one: a step of this node's wall clock (NTP
// correcting an hour; chaos/scenarios clock-jump) neither keeps an entry for hours nor moves the
// cursor past revocations the store stamped meanwhile (PostgreSQL stamps them with its own clock).
// A step back only makes the polls read some revocations again.
import type { Scope, TokenRecord, TokenStore } from '../store/token-store.js';

export interface TokenCacheOptions {
  /** How often revocations are polled. */
  pollMs: number;
  /** Entries are served only while the last good poll started at most this long ago. */
  maxStaleMs: number;
  /** How long a known token is remembered (then looked up again). */
  knownTtlMs: number;
  /** How long an unknown token is remembered (a new token is random: never asked before). */
  unknownTtlMs: number;
  /** Entries at most (the oldest go first). */
  maxEntries: number;
  /** Called for every lookup that reached the store. */
  onLookup?(): void;
  /** Called with the hashes each poll finds revoked (the gateway closes their sessions). */
  onRevoked?(hashes: string[]): void;
  onPollError?(err: unknown): void;
}

export const DEFAULT_TOKEN_CACHE: Omit<TokenCacheOptions, 'onLookup' | 'onPollError' | 'onRevoked'> = {
  pollMs: 500,
  maxStaleMs: 1000,
  knownTtlMs: 60_000,
  unknownTtlMs: 5000,
  maxEntries: 10_000,
};

type Found = (TokenRecord & { hash: string }) | undefined;

// Revocations read again on each poll, for a writer's clock a little behind ours and a commit that
// landed after its revoked_at.
const POLL_OVERLAP_MS = 2000;

export class TokenCache implements TokenStore {
  private readonly entries = new Map<string, { found: Found; until: number }>();
  private lastGoodPoll = -Infinity;
  /** The wall clock as it was at start, advanced by the monotonic one. */
  private readonly wallAtStart = Date.now() - performance.now();
  private cursor = this.wallNow();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly store: TokenStore,
    private readonly opts: TokenCacheOptions = DEFAULT_TOKEN_CACHE,
  ) {}

  /** Starts the revocation polls; until the first succeeds nothing is served from memory. */
  start(): void {
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.opts.pollMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async findTokenByHash(hash: string, signal?: AbortSignal): Promise<Found> {
    const now = performance.now();
    const hit = this.entries.get(hash);
    if (hit && hit.until > now && now - this.lastGoodPoll <= this.opts.maxStaleMs) return hit.found;
    this.opts.onLookup?.();
    const found = await this.store.findTokenByHash(hash, signal);
    this.remember(hash, found);
    return found;
  }

  createToken(name: string, hash: string, scopes: Scope[], signal?: AbortSignal): Promise<TokenRecord> {
    this.entries.delete(hash);
    return this.store.createToken(name, hash, scopes, signal);
  }

  listTokens(signal?: AbortSignal): Promise<TokenRecord[]> {
    return this.store.listTokens(signal);
  }

  async revokeToken(name: string, signal?: AbortSignal): Promise<boolean> {
    this.forgetName(name);
    const revoked = await this.store.revokeToken(name, signal);
    this.forgetName(name);
    return revoked;
  }

  revokedSince(since: string, signal?: AbortSignal): Promise<string[]> {
    return this.store.revokedSince(since, signal);
  }

  private remember(hash: string, found: Found): void {
    const ttl = found && !found.revoked_at ? this.opts.knownTtlMs : this.opts.unknownTtlMs;
    this.entries.delete(hash);
    if (this.entries.size >= this.opts.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(hash, { found, until: performance.now() + ttl });
  }

  private wallNow(): number {
    return Math.min(Date.now(), this.wallAtStart + performance.now());
  }

  private forgetName(name: string): void {
    for (const [hash, e] of this.entries) if (e.found?.name === name) this.entries.delete(hash);
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    const started = performance.now();
    const cursor = this.wallNow();
    const since = new Date(this.cursor - POLL_OVERLAP_MS).toISOString();
    try {
      const hashes = await this.store.revokedSince(since);
      for (const h of hashes) this.entries.delete(h);
      if (hashes.length) this.opts.onRevoked?.(hashes);
      this.cursor = cursor;
      this.lastGoodPoll = started;
    } catch (err) {
      this.opts.onPollError?.(err);
    } finally {
      this.polling = false;
    }
  }
}
