import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findDuplicate, fingerprint, sameStory, titleWords } from '../../src/pipeline/dedup.js';
import type { NewsItem } from '../../src/pipeline/item.js';

const item = (over: Partial<NewsItem>): NewsItem => ({
  id: 'gnw:1',
  feed: 'gnw',
  kind: 'globenewswire',
  key: '1',
  title: 'NeuroBiotix Reports Positive Phase 2 Data for NBX-101',
  summary: '',
  publishedAt: '2026-11-16T13:05:00.000Z',
  tickers: ['NBTX'],
  categories: [],
  ...over,
});

const wire1 = fingerprint(item({}));
const wire2 = fingerprint(
  item({
    id: 'prn:9',
    kind: 'prnewswire',
    title: 'NeuroBiotix Reports Positive Phase 2 Data for NBX-101 in Refractory Glioblastoma',
    publishedAt: '2026-11-16T13:15:00.000Z',
  }),
);

test('the same story on two wires, one adding a qualifier, is one story', () => {
  assert.equal(sameStory(wire1, wire2), true);
  assert.equal(sameStory(wire2, wire1), true);
  assert.equal(findDuplicate(wire2, [wire1])?.id, 'gnw:1');
});

test('case, punctuation, stop words and plural endings do not tell stories apart', () => {
  assert.deepEqual(titleWords('The Company ANNOUNCES results, of the Phase-2 trial!'), [
    'result',
    'phase',
    'trial',
  ]);
  assert.deepEqual(titleWords('Raises $2.5 Million'), ['rais', '25', 'million']);
  assert.deepEqual(titleWords('Raised'), titleWords('raises'));
});

test('another ticker, more than an hour apart, or a different headline is another story', () => {
  const other = { ...wire2, tickers: ['KQC'], id: 'x' };
  assert.equal(sameStory(wire1, other), false);
  const later = { ...wire2, publishedAt: '2026-11-16T14:05:01.000Z' };
  assert.equal(sameStory(wire1, later), false);
  const differentNews = fingerprint(
    item({ id: 'gnw:2', title: 'NeuroBiotix Announces Pricing of $20 Million Public Offering' }),
  );
  assert.equal(sameStory(wire1, differentNews), false);
  assert.equal(findDuplicate(differentNews, [wire1, wire2]), undefined);
});

test('a re-poll (same id) or the same canonical URL is the same story whatever the title', () => {
  assert.equal(sameStory(wire1, { ...wire1, words: 'changed title' }), true);
  const a = fingerprint(item({ id: 'a', url: 'https://example.com/x', title: 'One' }));
  const b = fingerprint(item({ id: 'b', url: 'https://example.com/x', title: 'Two', tickers: ['KQC'] }));
  assert.equal(sameStory(a, b), true);
});

test('two SEC filings are never merged by their templated titles', () => {
  const f = (id: string) =>
    fingerprint(item({ id, kind: 'sec_edgar', title: '4 - NEUROBIOTIX INC (0001234567) (Issuer)' }));
  assert.equal(sameStory(f('sec:1'), f('sec:2')), false);
  assert.equal(sameStory(f('sec:1'), f('sec:1')), true);
});

test('very short titles match only when their words are identical', () => {
  const a = fingerprint(item({ id: 'a', title: 'NeuroBiotix Update' }));
  const b = fingerprint(item({ id: 'b', title: 'NeuroBiotix Corporate Update Call' }));
  assert.equal(sameStory(a, b), false);
  assert.equal(sameStory(a, fingerprint(item({ id: 'c', title: 'NEUROBIOTIX UPDATE' }))), true);
});

test('a fingerprint is compact JSON', () => {
  const long = fingerprint(item({ title: Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ') }));
  assert.ok(Buffer.byteLength(JSON.stringify(long)) < 600);
});
