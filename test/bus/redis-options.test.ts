import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reconnectDelay, redisOptions } from '../../src/bus/redis/redis-options.js';

describe('redisOptions', () => {
  it('builds a client that cannot queue commands while Redis is away', () => {
    const o = redisOptions('redis://127.0.0.1:6390', 'catalyst limiter');
    assert.equal(o.enableOfflineQueue, false);
    assert.equal(o.maxRetriesPerRequest, 1);
    assert.equal(o.retryStrategy, reconnectDelay);
    assert.equal(o.connectionName, 'catalyst-limiter', 'CLIENT SETNAME refuses spaces');
    assert.deepEqual([o.host, o.port, o.db, o.tls], ['127.0.0.1', 6390, undefined, undefined]);
  });

  it('reads credentials, database and TLS from the URL; overrides win', () => {
    const o = redisOptions('rediss://app:s%40cret@redis.internal/3', 'bus', { maxRetriesPerRequest: 0 });
    assert.deepEqual(
      [o.host, o.port, o.username, o.password, o.db, o.tls, o.maxRetriesPerRequest],
      ['redis.internal', 6379, 'app', 's@cret', 3, { servername: 'redis.internal' }, 0],
    );
    assert.throws(() => redisOptions('http://x', 'bus'), /not a redis:\/\/ URL/);
  });

  it('backs off exponentially to a 2 s cap, with at most 100 ms of jitter', () => {
    for (let i = 0; i < 50; i++) {
      const first = reconnectDelay(1);
      assert.ok(first >= 200 && first < 300, `attempt 1: ${first}`);
      const late = reconnectDelay(40);
      assert.ok(late >= 2000 && late < 2100, `attempt 40: ${late}`);
    }
    assert.ok(reconnectDelay(3) >= 800 && reconnectDelay(3) < 900);
  });
});
