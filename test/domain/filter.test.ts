import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matches, parseFilter, parseQueryFilter } from '../../src/domain/filter.js';
import { storedSignal } from '../../src/domain/signal.js';
import { makeSignal } from '../support/signals.js';

const sig = (over: Parameters<typeof makeSignal>[0]) =>
  storedSignal(makeSignal(over), 1, '2026-11-24T00:00:00.000Z');

describe('filters', () => {
  it('every filter given must match', () => {
    const s = sig({
      ticker: 'AAA',
      catalyst: 'fda',
      source: 'sec',
      confidence: 0.8,
      sentiment: 0.2,
      score: 2,
    });
    assert.equal(matches({}, s), true);
    assert.equal(matches({ min_confidence: 0.8 }, s), true);
    assert.equal(matches({ min_confidence: 0.81 }, s), false);
    assert.equal(matches({ tickers: ['BBB', 'AAA'] }, s), true);
    assert.equal(matches({ tickers: ['BBB'] }, s), false);
    assert.equal(matches({ catalysts: ['merger'] }, s), false);
    assert.equal(matches({ sources: ['sec'] }, s), true);
    assert.equal(matches({ min_score: 2 }, s), true);
    assert.equal(matches({ min_score: 2.1 }, s), false);
    assert.equal(matches({ sentiment: 'positive' }, s), true);
    assert.equal(matches({ sentiment: 'negative' }, s), false);
    assert.equal(matches({ tickers: ['AAA'], min_confidence: 0.9 }, s), false);
  });

  it('neutral sentiment matches neither side; a missing score never passes min_score', () => {
    assert.equal(matches({ sentiment: 'positive' }, sig({ sentiment: 0 })), false);
    assert.equal(matches({ sentiment: 'negative' }, sig({ sentiment: 0 })), false);
    assert.equal(matches({ min_score: -100 }, sig({})), false);
  });

  it('list entries are counted in characters and must be valid Unicode', () => {
    assert.deepEqual(parseFilter({ sources: ['🚀'.repeat(100)] }).sources, ['🚀'.repeat(100)]);
    assert.throws(() => parseFilter({ sources: ['🚀'.repeat(101)] }), { field: 'filters.sources' });
    const lone = JSON.parse('"\\ud83d"') as string;
    assert.throws(() => parseFilter({ sources: [lone] }), { field: 'filters.sources' });
    assert.throws(() => parseFilter({ catalysts: [`fda${lone}`] }), { field: 'filters.catalysts' });
    assert.throws(() => parseQueryFilter({ source: lone }), { field: 'source' });
  });

  it('parsing normalises case and rejects unknown or mistyped filters naming the field', () => {
    assert.deepEqual(parseFilter({ tickers: ['aaa', 'AAA'], catalysts: ['FDA'] }), {
      tickers: ['AAA'],
      catalysts: ['fda'],
    });
    assert.throws(() => parseFilter({ ticker: ['A'] }), { field: 'filters.ticker' });
    assert.throws(() => parseFilter({ min_confidence: '0.5' }), { field: 'filters.min_confidence' });
    assert.throws(() => parseFilter({ tickers: 'AAA' }), { field: 'filters.tickers' });
    // A ticker no signal can carry is refused, as REST refuses it, rather than matching nothing.
    assert.throws(() => parseFilter({ tickers: ['N B'] }), { field: 'filters.tickers' });
    assert.throws(() => parseFilter({ tickers: ['TOOLONGTICKER'] }), { field: 'filters.tickers' });
    assert.throws(() => parseFilter({ min_confidence: 1.7 }), { field: 'filters.min_confidence' });
    assert.throws(() => parseFilter({ sentiment: 'up' }), { field: 'filters.sentiment' });
    assert.throws(() => parseFilter([1]), { code: 'invalid_request' });
  });
});

describe('one filter parser for REST and WebSocket', () => {
  it('reads comma-separated query parameters into the same filter a subscribe gives', () => {
    assert.deepEqual(
      parseQueryFilter({ ticker: 'nbtx, KQC', catalyst: 'FDA', min_confidence: 0.7, sentiment: 'positive' }),
      parseFilter({
        tickers: ['NBTX', 'KQC'],
        catalysts: ['fda'],
        min_confidence: 0.7,
        sentiment: 'positive',
      }),
    );
  });

  it('applies the same limits, with errors naming the query parameter', () => {
    const many = Array.from({ length: 1001 }, (_, i) => `T${i}`);
    assert.throws(() => parseFilter({ tickers: many }), { field: 'filters.tickers' });
    assert.throws(() => parseQueryFilter({ ticker: many.join(',') }), { field: 'ticker' });
    assert.throws(() => parseQueryFilter({ ticker: 'A'.repeat(101) }), { field: 'ticker' });
    assert.throws(() => parseQueryFilter({ ticker: ' , ' }), { field: 'ticker' });
    assert.throws(() => parseQueryFilter({ sentiment: 'up' }), { field: 'sentiment' });
    assert.throws(() => parseFilter({ min_confidence: 1.5 }), { field: 'filters.min_confidence' });
    assert.throws(() => parseQueryFilter({ min_confidence: 1.5 }), { field: 'min_confidence' });
  });
});
