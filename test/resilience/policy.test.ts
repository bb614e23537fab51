import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePolicyEnv } from '../../src/config/dependency-policies.js';
import { ConfigError } from '../../src/config/error.js';
import { DEFAULT_POLICIES, FALLBACK_POLICY, policyFor } from '../../src/resilience/policy.js';

describe('policyFor', () => {
  it('has an explicit breaker volume threshold for every known dependency (opossum defaults to 0)', () => {
    for (const name of ['store', 'bus', 'redis', 'llm', 'market_data', 'feed:*']) {
      const p = DEFAULT_POLICIES[name];
      assert.ok(p, `a default for ${name}`);
      assert.ok(p.breaker.volumeThreshold >= 1, `${name} volumeThreshold`);
    }
  });

  it('gives a feed the feed default, then the all-feeds override, then its own', () => {
    const overrides = {
      'feed:*': { timeoutMs: 7_000, retry: { attempts: 4 } },
      'feed:sec_edgar': { timeoutMs: 3_000 },
    };
    const edgar = policyFor('feed:sec-edgar', overrides);
    assert.equal(edgar.timeoutMs, 3_000, 'its own override wins');
    assert.equal(edgar.retry?.attempts, 4, 'the all-feeds override applies');
    assert.equal(
      edgar.retry?.maxDelayMs,
      DEFAULT_POLICIES['feed:*']!.retry!.maxDelayMs,
      'untouched fields keep the default',
    );
    assert.equal(policyFor('feed:prnewswire', overrides).timeoutMs, 7_000);
  });

  it('merges nested overrides field by field and never mutates the defaults', () => {
    const p = policyFor('store', { store: { breaker: { resetTimeoutMs: 1_234 } } });
    assert.equal(p.breaker.resetTimeoutMs, 1_234);
    assert.equal(p.breaker.volumeThreshold, DEFAULT_POLICIES.store!.breaker.volumeThreshold);
    p.breaker.volumeThreshold = 99;
    assert.notEqual(DEFAULT_POLICIES.store!.breaker.volumeThreshold, 99);
    assert.deepEqual(policyFor('some_new_thing'), FALLBACK_POLICY);
  });

  it('adds retry to a dependency whose default has none when an override asks for it', () => {
    assert.equal(policyFor('bus').retry, undefined);
    assert.equal(policyFor('bus', { bus: { retry: { attempts: 3 } } }).retry?.attempts, 3);
  });

  it('refuses an unusable policy, naming the dependency and field', () => {
    assert.throws(
      () => policyFor('llm', { llm: { breaker: { errorThresholdPercentage: 0 } } }),
      /dependency "llm".*errorThresholdPercentage/,
    );
    assert.throws(() => policyFor('store', { store: { timeoutMs: -5 } }), /"store".*timeoutMs/);
    assert.throws(
      () => policyFor('llm', { llm: { retry: { attempts: 2.5 } } }),
      /"llm".*retry.attempts must be a whole number/,
    );
  });
});

describe('parsePolicyEnv', () => {
  it('reads settings for known names, feeds and the all-feeds default, ignoring other variables', () => {
    const o = parsePolicyEnv({
      CATALYST_DEP_STORE_TIMEOUT_MS: '1500',
      CATALYST_DEP_LLM_BREAKER_RESET_MS: '60000',
      CATALYST_DEP_MARKET_DATA_BREAKER_ERROR_PCT: '25.5',
      CATALYST_DEP_MARKET_DATA_LIMIT_MIN_TIME_MS: '0',
      CATALYST_DEP_FEED_RETRY_ATTEMPTS: '3',
      CATALYST_DEP_FEED_SEC_EDGAR_BREAKER_VOLUME: '2',
      CATALYST_LOG_LEVEL: 'debug',
      PATH: '/usr/bin',
    });
    assert.deepEqual(o, {
      store: { timeoutMs: 1500 },
      llm: { breaker: { resetTimeoutMs: 60000 } },
      market_data: { breaker: { errorThresholdPercentage: 25.5 }, limiter: { minTimeMs: 0 } },
      'feed:*': { retry: { attempts: 3 } },
      'feed:sec_edgar': { breaker: { volumeThreshold: 2 } },
    });
    assert.equal(policyFor('feed:sec_edgar', o).breaker.volumeThreshold, 2);
  });

  it('reports every bad variable at once, each named with what is wrong', () => {
    let err: unknown;
    try {
      parsePolicyEnv({
        CATALYST_DEP_STORE_TIMEOUT_MS: '2s',
        CATALYST_DEP_LLM_BREAKER_ERROR_PCT: '150',
        CATALYST_DEP_BUS_TIMOUT_MS: '100',
        CATALYST_DEP_REDIS_RETRY_ATTEMPTS: '1.5',
        CATALYST_DEP_STOER_TIMEOUT_MS: '1500',
      });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof ConfigError);
    assert.equal(err.problems.length, 5);
    assert.match(
      err.message,
      /CATALYST_DEP_STORE_TIMEOUT_MS: expected a whole number of milliseconds >= 1, got "2s"/,
    );
    assert.match(
      err.message,
      /CATALYST_DEP_LLM_BREAKER_ERROR_PCT: expected a percentage from 1 to 100, got "150"/,
    );
    assert.match(err.message, /CATALYST_DEP_BUS_TIMOUT_MS: unknown setting/);
    assert.match(err.message, /CATALYST_DEP_REDIS_RETRY_ATTEMPTS: expected a whole number >= 1, got "1.5"/);
    assert.match(
      err.message,
      /CATALYST_DEP_STOER_TIMEOUT_MS: unknown dependency STOER; expected one of STORE, BUS, REDIS, LLM, MARKET_DATA, FEED, FEED_<HOST>/,
    );
  });
});
