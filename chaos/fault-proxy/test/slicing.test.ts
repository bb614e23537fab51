// The slicer's cut points and the seeded generator, checked exactly where sockets would blur them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, deriveSeed } from '../src/rng.js';
import { slicePoints } from '../src/toxics/slicer.js';

const sizes = (points: number[]) => points.slice(1).map((p, i) => p - (points[i] as number));

test('100 bytes at average 10, variation 0 become 16 pieces of 6 or 7 bytes, as in Toxiproxy', () => {
  const s = sizes(slicePoints(100, { averageSize: 10, sizeVariation: 0 }, createRng(1)));
  assert.equal(s.length, 16);
  assert.ok(
    s.every((n) => n === 6 || n === 7),
    `${s}`,
  );
  assert.equal(
    s.reduce((a, b) => a + b, 0),
    100,
  );
});

test('pieces stay within average + variation and cover the chunk exactly', () => {
  const rng = createRng(99);
  for (const length of [1, 17, 1000, 32_768]) {
    const s = sizes(slicePoints(length, { averageSize: 50, sizeVariation: 20 }, rng));
    assert.equal(
      s.reduce((a, b) => a + b, 0),
      length,
    );
    assert.ok(
      s.every((n) => n >= 1 && n <= 70),
      `${length}: ${s}`,
    );
  }
});

test('average_size 0 (endless recursion in Toxiproxy) slices into single bytes', () => {
  assert.deepEqual(
    sizes(slicePoints(5, { averageSize: 0, sizeVariation: 0 }, createRng(1))),
    [1, 1, 1, 1, 1],
  );
  assert.deepEqual(slicePoints(0, { averageSize: 10, sizeVariation: 0 }, createRng(1)), [0]);
});

test('a seed gives the same stream per proxy, connection and direction, and different ones across them', () => {
  const draw = (...parts: Array<string | number>) => {
    const rng = createRng(deriveSeed(7, ...parts));
    return Array.from({ length: 5 }, () => rng());
  };
  assert.deepEqual(draw('p', 1, 'upstream'), draw('p', 1, 'upstream'));
  assert.notDeepEqual(draw('p', 1, 'upstream'), draw('p', 1, 'downstream'));
  assert.notDeepEqual(draw('p', 1, 'upstream'), draw('p', 2, 'upstream'));
  assert.ok(draw('q', 3, 'downstream').every((x) => x >= 0 && x < 1));
});
