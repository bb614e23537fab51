// The token cache: a verified token costs one store lookup, and a revocation on any node stops it
// within the bound, even while the revocation polls fail.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { TokenCache } from '../../src/auth/token-cache.js';
import type { Scope, TokenRecord, TokenStore } from '../../src/store/token-store.js';
import { waitFor } from '../support/wait.js';

/** A store on another node's side: tokens by hash, revocations stamped with the time. */
class FakeTokens implements TokenStore {
  readonly tokens = new Map<string, TokenRecord & { hash: string }>();
  lookups = 0;
  down = false;

  async createToken(name: string, hash: string, scopes: Scope[]) {
    const rec = { name, scopes, created_at: new Date().toISOString(), revoked_at: null, hash };
    this.tokens.set(hash, rec);
    return rec;
  }
  async findTokenByHash(hash: string) {
    this.lookups++;
    if (this.down) throw new Error('store down');
    const t = this.tokens.get(hash);
    return t && { ...t };
  }
  async listTokens() {
    return [...this.tokens.values()];
  }
  async revokeToken(name: string) {
    for (const t of this.tokens.values())
      if (t.name === name && !t.revoked_at) return !!(t.revoked_at = new Date().toISOString());
    return false;
  }
  async revokedSince(since: string) {
    if (this.down) throw new Error('store down');
    return [...this.tokens.values()].filter((t) => t.revoked_at && t.revoked_at >= since).map((t) => t.hash);
  }
}

const OPTS = { pollMs: 20, maxStaleMs: 100, knownTtlMs: 60_000, unknownTtlMs: 60_000, maxEntries: 3 };

describe('token cache', () => {
  let cache: TokenCache | undefined;
  afterEach(() => cache?.stop());

  async function started(store: FakeTokens) {
    cache = new TokenCache(store, OPTS);
    cache.start();
    // Nothing is served from memory before the first good poll.
    await waitFor(async () => {
      const before = store.lookups;
      await cache!.findTokenByHash('probe');
      await cache!.findTokenByHash('probe');
      return store.lookups === before + 1;
    }, 'the first revocation poll');
    return cache;
  }

  it('a known token and an unknown one cost one lookup each, however often they are checked', async () => {
    const store = new FakeTokens();
    await store.createToken('a', 'h-a', ['subscribe']);
    const c = await started(store);
    const before = store.lookups;
    for (let i = 0; i < 100; i++) {
      assert.equal((await c.findTokenByHash('h-a'))?.name, 'a');
      assert.equal(await c.findTokenByHash('h-unknown'), undefined);
    }
    assert.equal(store.lookups - before, 2);
  });

  it('a revocation written by another node is seen within the bound', async () => {
    const store = new FakeTokens();
    await store.createToken('a', 'h-a', ['subscribe']);
    const c = await started(store);
    assert.ok(await c.findTokenByHash('h-a'));
    await store.revokeToken('a'); // not through the cache: another node did it
    const at = Date.now();
    await waitFor(
      async () => (await c.findTokenByHash('h-a'))?.revoked_at || undefined,
      'the revocation',
      2000,
    );
    assert.ok(Date.now() - at <= 1000, `seen after ${Date.now() - at} ms`);
  });

  it('while the polls fail, remembered tokens stop being served within the bound', async () => {
    const store = new FakeTokens();
    await store.createToken('a', 'h-a', ['subscribe']);
    const c = await started(store);
    assert.ok(await c.findTokenByHash('h-a'));
    store.down = true;
    const at = Date.now();
    await waitFor(
      async () =>
        c.findTokenByHash('h-a').then(
          () => false,
          () => true,
        ),
      'a lookup to reach the (down) store',
      2000,
    );
    assert.ok(Date.now() - at <= 1000);
  });

  it('a revocation through this node, and a full cache, forget at once', async () => {
    const store = new FakeTokens();
    for (const n of ['a', 'b', 'c', 'd']) await store.createToken(n, `h-${n}`, ['subscribe']);
    const c = await started(store);
    await c.findTokenByHash('h-a');
    assert.equal(await c.revokeToken('a'), true);
    assert.ok((await c.findTokenByHash('h-a'))?.revoked_at);
    for (const n of ['b', 'c', 'd']) await c.findTokenByHash(`h-${n}`);
    const before = store.lookups;
    await c.findTokenByHash('h-d'); // the newest stays
    await c.findTokenByHash('h-a'); // pushed out by the cap of 3
    assert.equal(store.lookups - before, 1);
  });

  it("a step of this node's wall clock neither hides a revocation nor keeps a revoked token", async (t) => {
    const store = new FakeTokens(); // stamps revocations with the true time, as PostgreSQL's clock does
    const c = await started(store);
    const real = Date.now.bind(Date);
    let offset = 0;
    t.mock.method(Date, 'now', () => real() + offset);
    for (const step of [3_600_000, -3_600_000, 0]) {
      offset = step;
      const name = `step${step}`;
      await store.createToken(name, `h-${name}`, ['subscribe']);
      // Remembered after the step, and served from memory (a poll after the step went well).
      await waitFor(async () => {
        const before = store.lookups;
        assert.ok(await c.findTokenByHash(`h-${name}`));
        assert.ok(await c.findTokenByHash(`h-${name}`));
        return store.lookups === before;
      }, `the token served from memory (${step} ms)`);
      await store.revokeToken(name);
      const at = performance.now();
      await waitFor(
        async () => (await c.findTokenByHash(`h-${name}`))?.revoked_at || undefined,
        `the revocation (${step} ms)`,
        2000,
      );
      assert.ok(performance.now() - at <= 1000, `seen after ${performance.now() - at} ms`);
    }
  });
});
