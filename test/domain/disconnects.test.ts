import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CLOSE_CODES, clientAction, Disconnects } from '../../src/domain/disconnects.js';

/** The rows of docs/PROTOCOL.md's "Close codes" table: code, meaning, client should. */
function documentedCloseCodes(): string[][] {
  const doc = readFileSync(new URL('../../docs/PROTOCOL.md', import.meta.url), 'utf8');
  const section = doc.split('### Close codes')[1];
  assert.ok(section, 'docs/PROTOCOL.md has a "### Close codes" section');
  return section
    .split('\n')
    .filter((l) => /^\|\s*\d{4}\s*\|/.test(l))
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
}

describe('the disconnect catalogue', () => {
  it('is exactly the close-code table of docs/PROTOCOL.md, row for row', () => {
    const fromCode = Object.values(CLOSE_CODES).map((c) => [String(c.code), c.meaning, c.advice]);
    assert.deepEqual(documentedCloseCodes(), fromCode);
  });

  it('gives every disconnect a catalogued code and a reason that fits a close frame (123 bytes)', () => {
    const codes = new Set(Object.values(CLOSE_CODES).map((c) => c.code));
    for (const [name, d] of Object.entries(Disconnects)) {
      assert.ok(codes.has(d.code), `${name} uses catalogued code ${d.code}`);
      assert.ok(Buffer.byteLength(d.reason) <= 123, `${name}'s reason fits a close frame`);
    }
  });

  it('tells a client to stop only where retrying cannot succeed, and to resume after an unknown code', () => {
    assert.equal(clientAction(4401), 'stop');
    assert.equal(clientAction(4403), 'stop');
    assert.equal(clientAction(4408), 'resume');
    assert.equal(clientAction(4429), 'resume_after_backoff');
    assert.equal(clientAction(1013), 'resume_after_backoff');
    assert.equal(clientAction(1006), 'resume', 'an abnormal close is a network problem: resume');
  });
});
