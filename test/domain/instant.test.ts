import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRfc3339 } from '../../src/domain/instant.js';

const iso = (v: string) => {
  const t = parseRfc3339(v);
  return t === undefined ? undefined : new Date(t).toISOString();
};

describe('RFC 3339 instants', () => {
  it('refuses days and times that do not exist instead of moving them to another day', () => {
    for (const v of [
      '2026-02-30T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-11-23T24:00:00Z',
      '2026-02-29T12:00:00Z', // 2026 is not a leap year
      '1900-02-29T12:00:00Z', // nor is 1900
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-11-00T00:00:00Z',
      '2026-11-23T14:60:00Z',
      '2026-11-23T14:05:61Z',
      '2026-11-23T14:05:60Z', // a leap second only at 23:59:60 UTC
      '2026-11-23T14:05:00+24:00',
      '2026-11-23T14:05:00+05:60',
    ])
      assert.equal(iso(v), undefined, v);
  });

  it('refuses what RFC 3339 does not allow: no zone, no seconds, other separators', () => {
    for (const v of [
      '2026-11-23T14:05:00',
      '2026-11-23T14:05Z',
      '2026-11-23 14:05:00Z',
      '2026-11-23T14:05:00+0500',
      '2026-11-23T14:05:00.Z',
      '20261123T140500Z',
      ' 2026-11-23T14:05:00Z',
      'yesterday',
    ])
      assert.equal(iso(v), undefined, v);
  });

  it('accepts what RFC 3339 allows: lower-case t and z, offsets, fractions of any length, leap days', () => {
    assert.equal(iso('2026-11-23t14:05:00z'), '2026-11-23T14:05:00.000Z');
    assert.equal(iso('2026-11-23T09:05:00-05:00'), '2026-11-23T14:05:00.000Z');
    assert.equal(iso('2026-11-23T19:35:00.5+05:30'), '2026-11-23T14:05:00.500Z');
    assert.equal(iso('2026-11-23T14:05:00.123456789Z'), '2026-11-23T14:05:00.123Z');
    assert.equal(iso('2026-11-23T14:05:00-00:00'), '2026-11-23T14:05:00.000Z');
    assert.equal(iso('2028-02-29T00:00:00Z'), '2028-02-29T00:00:00.000Z');
    assert.equal(iso('2000-02-29T00:00:00Z'), '2000-02-29T00:00:00.000Z');
    assert.equal(iso('0050-01-01T00:00:00Z'), '0050-01-01T00:00:00.000Z');
    assert.equal(iso('2026-12-31T23:59:60Z'), '2026-12-31T23:59:59.999Z');
    assert.equal(iso('2027-01-01T00:59:60+01:00'), '2026-12-31T23:59:59.999Z');
  });
});
