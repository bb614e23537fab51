// The store as consumers see it: the same EventStore & TokenStore port, with every method run
// through the store's Dependency (breaker, per-attempt deadline, retry for reads). The composition
// root wraps the adapter once; nothing else ever holds the raw adapter, so no call can go around
// the breaker. The attempt's AbortSignal reaches the driver (pg destroys the connection); the
// caller's own signal, when given, cancels the call without counting against the store.
import type { SignalInput } from '../domain/signal.js';
import type { AppendResult, EventStore, ReadQuery } from '../store/event-store.js';
import type { Scope, TokenStore } from '../store/token-store.js';
import type { Dependency } from './dependency.js';
import { portCalls } from './port-calls.js';

export type Store = EventStore & TokenStore;

export function guardStore(store: Store, dep: Dependency): Store {
  // Appends are writes: an attempt that timed out may still have committed (see group-commit).
  const { read, write } = portCalls(dep);
  return {
    kind: store.kind,
    migrate: (signal) => read((s) => store.migrate(s), signal),
    epoch: (signal) => read((s) => store.epoch(s), signal),
    append: (inputs: SignalInput[], signal?: AbortSignal): Promise<AppendResult[]> =>
      write((s) => store.append(inputs, s), signal),
    read: (q: ReadQuery, signal) => read((s) => store.read(q, s), signal),
    readJson: (q: ReadQuery, signal) => read((s) => store.readJson(q, s), signal),
    count: (q, signal) => read((s) => store.count(q, s), signal),
    get: (seq, signal) => read((s) => store.get(seq, s), signal),
    lastSeq: (signal) => read((s) => store.lastSeq(s), signal),
    // Not retried: readiness wants the store's state now, not after a backoff.
    ping: (signal) => write((s) => store.ping(s), signal),
    close: () => store.close(),
    createToken: (name: string, hash: string, scopes: Scope[], signal?: AbortSignal) =>
      write((s) => store.createToken(name, hash, scopes, s), signal),
    findTokenByHash: (hash, signal) => read((s) => store.findTokenByHash(hash, s), signal),
    listTokens: (signal) => read((s) => store.listTokens(s), signal),
    // Revoking twice is harmless (the second finds nothing active), so it may be retried.
    revokeToken: (name, signal) => read((s) => store.revokeToken(name, s), signal),
    revokedSince: (since, signal) => read((s) => store.revokedSince(since, s), signal),
  };
}
