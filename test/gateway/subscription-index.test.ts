import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SubscriptionIndex } from '../../src/gateway/subscription-index.js';

const sig = (ticker: string, catalyst = 'fda', confidence = 0.9) => ({ ticker, catalyst, confidence });

describe('SubscriptionIndex', () => {
  it('finds ticker subscribers by ticker and the others by their own filter, each once', () => {
    const idx = new SubscriptionIndex<string>();
    idx.set('a', { tickers: ['AAA', 'BBB'] });
    idx.set('b', { tickers: ['BBB'] });
    idx.set('c', { min_confidence: 0.5 });
    idx.set('d', {});
    assert.deepEqual([...idx.candidates(sig('AAA'))].sort(), ['a', 'c', 'd']);
    assert.deepEqual([...idx.candidates(sig('BBB'))].sort(), ['a', 'b', 'c', 'd']);
    assert.deepEqual([...idx.candidates(sig('ZZZ'))].sort(), ['c', 'd']);
  });

  it('replacing a filter moves the subscriber; deleting removes it everywhere', () => {
    const idx = new SubscriptionIndex<string>();
    idx.set('a', { tickers: ['AAA'] });
    idx.set('a', { tickers: ['BBB'] });
    assert.deepEqual([...idx.candidates(sig('AAA'))], []);
    assert.deepEqual([...idx.candidates(sig('BBB'))], ['a']);
    idx.set('a', {});
    assert.deepEqual([...idx.candidates(sig('BBB'))], ['a']);
    idx.set('a', { catalysts: ['fda'] });
    assert.deepEqual([...idx.candidates(sig('BBB', 'merger'))], []);
    idx.delete('a');
    assert.deepEqual([...idx.candidates(sig('BBB'))], []);
    assert.equal(idx.size, 0);
  });

  it('a ticker-filtered signal does not visit sessions of other tickers (no full scan)', () => {
    const idx = new SubscriptionIndex<number>();
    for (let i = 0; i < 10_000; i++) idx.set(i, { tickers: [`T${i % 100}`] });
    assert.equal([...idx.candidates(sig('T7'))].length, 100);
  });

  it('catalyst-only subscribers are visited only by signals of their catalysts', () => {
    const idx = new SubscriptionIndex<number>();
    const catalysts = ['fda', 'merger', 'earnings', 'offering'];
    for (let i = 0; i < 1000; i++) idx.set(i, { catalysts: [catalysts[i % 4] as string] });
    assert.equal([...idx.candidates(sig('ZZZ', 'merger'))].length, 250);
    assert.equal([...idx.candidates(sig('ZZZ', 'other'))].length, 0);
  });

  it('confidence-only subscribers are visited only when the signal can reach their threshold', () => {
    const idx = new SubscriptionIndex<number>();
    for (let i = 0; i < 100; i++) idx.set(i, { min_confidence: i / 100 + 0.005 });
    // Thresholds 0.005 .. 0.995: a 0.5 signal reaches the 50 below it, and at most its own bucket more.
    const seen = [...idx.candidates(sig('ZZZ', 'fda', 0.5))];
    assert.ok(seen.length >= 50 && seen.length <= 51, String(seen.length));
    assert.ok(seen.every((i) => i / 100 + 0.005 <= 0.51));
    assert.equal([...idx.candidates(sig('ZZZ', 'fda', 1))].length, 100);
    assert.equal([...idx.candidates(sig('ZZZ', 'fda', 0))].length, 1);
  });
});
