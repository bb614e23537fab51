import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentKey, parseSignalInput } from '../../src/domain/signal.js';
import { makeSignal } from '../support/signals.js';

describe('signal validation', () => {
  it('accepts a valid signal and normalises published_at to UTC', () => {
    const s = parseSignalInput({ ...makeSignal(), published_at: '2026-11-23T09:05:00-05:00' });
    assert.equal(s.published_at, '2026-11-23T14:05:00.000Z');
  });

  for (const [field, value] of [
    ['ticker', 'nbtx'],
    ['ticker', 'WAYTOOLONGTICKER'],
    ['sentiment', 2],
    ['sentiment', '0.5'],
    ['confidence', -0.1],
    ['confidence', null],
    ['score', 1_000_001],
    ['score', -1e7],
    ['catalyst', 'FDA News'],
    ['published_at', 'yesterday'],
    ['published_at', '2026-02-30T00:00:00Z'],
    ['published_at', '2026-04-31T00:00:00Z'],
    ['published_at', '2026-11-23T24:00:00Z'],
    ['url', 'javascript:alert(1)'],
    ['metadata', [1, 2]],
    ['metadata', { big: 'x'.repeat(9000) }],
    ['metadata', JSON.parse(`{"x":${'['.repeat(20)}${']'.repeat(20)}}`)],
    ['metadata', JSON.parse(`{"x":${'['.repeat(50_000)}${']'.repeat(50_000)}}`)],
    ['id', 'has space'],
    ['title', ''],
    ['seq', 5],
    ['created_at', '2026-11-23T14:05:00Z'],
    ['colour', 'red'],
  ] as const) {
    let label: string;
    try {
      label = JSON.stringify(value).slice(0, 30);
    } catch {
      label = 'a value nested too deep to print';
    }
    it(`rejects ${field} = ${label} naming the field`, () => {
      assert.throws(() => parseSignalInput({ ...makeSignal(), [field]: value }), {
        code: 'invalid_request',
        field,
      });
    });
  }

  it('accepts published_at as RFC 3339 allows it: lower-case t and z, fractions', () => {
    assert.equal(
      parseSignalInput({ ...makeSignal(), published_at: '2026-11-23t14:05:00.25z' }).published_at,
      '2026-11-23T14:05:00.250Z',
    );
  });

  it('rejects a missing required field and a non-object body', () => {
    const { ticker: _t, ...rest } = makeSignal();
    assert.throws(() => parseSignalInput(rest), { field: 'ticker' });
    assert.throws(() => parseSignalInput([makeSignal()]), { field: 'body' });
  });

  it('counts text in characters (code points), not UTF-16 units', () => {
    const emoji = '😀'.repeat(1000); // 2000 UTF-16 units
    assert.equal(parseSignalInput({ ...makeSignal(), title: emoji }).title, emoji);
    assert.throws(() => parseSignalInput({ ...makeSignal(), title: `${emoji}😀` }), { field: 'title' });
    assert.equal(parseSignalInput({ ...makeSignal(), source: '🚀'.repeat(100) }).source, '🚀'.repeat(100));
    assert.throws(() => parseSignalInput({ ...makeSignal(), source: '🚀'.repeat(101) }), { field: 'source' });
  });

  it('rejects a lone surrogate (half of a UTF-16 pair) in any text, metadata keys and values too', () => {
    const lone = JSON.parse('"a\\ud800b"') as string;
    const loneLow = JSON.parse('"\\udc00"') as string;
    for (const field of ['title', 'source', 'url'] as const) {
      const value = field === 'url' ? `https://example.com/${lone}` : lone;
      assert.throws(() => parseSignalInput({ ...makeSignal(), [field]: value }), { field }, field);
    }
    assert.throws(() => parseSignalInput({ ...makeSignal(), title: `x${loneLow}` }), { field: 'title' });
    assert.throws(() => parseSignalInput({ ...makeSignal(), metadata: { note: [lone] } }), {
      field: 'metadata',
    });
    assert.throws(() => parseSignalInput({ ...makeSignal(), metadata: { [lone]: 1 } }), {
      field: 'metadata',
    });
  });

  it('rejects NUL and other control characters in text fields (PostgreSQL TEXT cannot hold NUL)', () => {
    assert.throws(() => parseSignalInput({ ...makeSignal(), source: 'a\u0000b' }), { field: 'source' });
    assert.throws(() => parseSignalInput({ ...makeSignal(), title: 'a\u0007b' }), { field: 'title' });
  });

  it('content keys ignore key order and tell different content apart', () => {
    const a = makeSignal({ metadata: { x: 1, y: 2 } });
    assert.equal(contentKey(a), contentKey({ ...a, metadata: { y: 2, x: 1 } }));
    assert.notEqual(contentKey(a), contentKey({ ...a, title: 'other' }));
  });
});
