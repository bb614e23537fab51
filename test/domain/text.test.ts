import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { characters, hasLoneSurrogate, truncate, wellFormed } from '../../src/domain/text.js';

const lone = String.fromCharCode(0xd83d); // the first half of 😀

describe('text measured in characters', () => {
  it('counts code points: a surrogate pair once, a lone half once', () => {
    assert.equal(characters(''), 0);
    assert.equal(characters('abc'), 3);
    assert.equal(characters('😀😀'), 2);
    assert.equal(characters(`a${lone}`), 2);
    assert.equal(characters(`${lone}😀`), 2);
  });

  it('tells lone surrogates from pairs', () => {
    assert.equal(hasLoneSurrogate('😀 中 é'), false);
    assert.equal(hasLoneSurrogate(`x${lone}`), true);
    assert.equal(hasLoneSurrogate(String.fromCharCode(0xde00)), true);
    assert.equal(wellFormed(`a${lone}b😀`), 'a\ufffdb😀');
  });

  it('truncates to at most max characters, never splitting a pair', () => {
    assert.equal(truncate('😀'.repeat(5), 5), '😀'.repeat(5));
    assert.equal(truncate('😀'.repeat(6), 5), `${'😀'.repeat(4)}…`);
    assert.equal(truncate('abcdef', 4), 'abc…');
    assert.equal(hasLoneSurrogate(truncate(`a${'😀'.repeat(10)}`, 4)), false);
  });
});
