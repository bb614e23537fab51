import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SubscriptionIndex } from '../../src/gateway/subscription-index.js';

describe('SubscriptionIndex', () => {
  it('finds ticker subscribers by ticker and any-ticker subscribers always, each once', () => {
    const idx = new SubscriptionIndex<string>();
    idx.set('a', { tickers: ['AAA', 'BBB'] });
    idx.set('b', { tickers: ['BBB'] });
    idx.set('c', { min_confidence: 0.5 });
    assert.deepEqual([...idx.candidates('AAA')].sort(), ['a', 'c']);
    assert.deepEqual([...idx.candidates('BBB')].sort(), ['a', 'b', 'c']);
    assert.deepEqual([...idx.candidates('ZZZ')], ['c']);
  });

  it('replacing a filter moves the subscriber; deleting removes it everywhere', () => {
    const idx = new SubscriptionIndex<string>();
    idx.set('a', { tickers: ['AAA'] });
    idx.set('a', { tickers: ['BBB'] });
    assert.deepEqual([...idx.candidates('AAA')], []);
    assert.deepEqual([...idx.candidates('BBB')], ['a']);
    idx.set('a', {});
    assert.deepEqual([...idx.candidates('BBB')], ['a']);
    idx.delete('a');
    assert.deepEqual([...idx.candidates('BBB')], []);
    assert.equal(idx.size, 0);
  });

  it('a ticker-filtered signal does not visit sessions of other tickers (no full scan)', () => {
    const idx = new SubscriptionIndex<number>();
    for (let i = 0; i < 10_000; i++) idx.set(i, { tickers: [`T${i % 100}`] });
    assert.equal([...idx.candidates('T7')].length, 100);
  });
});
