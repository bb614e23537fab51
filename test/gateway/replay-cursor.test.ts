import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storedSignal, type Signal } from '../../src/domain/signal.js';
import { ReplayCursor, type ReplaySource } from '../../src/gateway/replay-cursor.js';
import { makeSignal } from '../support/signals.js';

/** A stream whose live side moves on while the replay reads, as commits keep arriving. */
function stream(initial: number, growPerRead: number, growingReads = 6) {
  let reads = 0;
  const all: Signal[] = [];
  const commit = (n: number) => {
    for (let i = 0; i < n; i++)
      all.push(storedSignal(makeSignal(), all.length + 1, new Date().toISOString()));
  };
  commit(initial);
  const source: ReplaySource = {
    get lastSeq() {
      return all.length;
    },
    async read(afterSeq, uptoSeq, limit) {
      const rows = all.filter((s) => s.seq > afterSeq && s.seq <= uptoSeq).slice(0, limit);
      if (++reads <= growingReads) commit(growPerRead);
      return rows;
    },
  };
  return { source, commit, all };
}

describe('ReplayCursor', () => {
  it('replays up to the live position while it moves, then takes only live signals above it: each seq once', async () => {
    const { source, commit, all } = stream(23, 2);
    const cursor = new ReplayCursor(source, 4, 5);
    const got: number[] = [];
    for await (const page of cursor.pages()) {
      assert.equal(cursor.live, false);
      // Live signals offered during the replay are refused: the replay reads them from the store.
      assert.equal(cursor.accept(all[all.length - 1]!), false);
      got.push(...page.map((s) => s.seq));
    }
    assert.equal(cursor.live, true);
    assert.equal(cursor.position, source.lastSeq);
    commit(3);
    for (const s of all) if (cursor.accept(s)) got.push(s.seq);
    assert.deepEqual(
      got,
      Array.from({ length: all.length - 4 }, (_, i) => 5 + i),
    );
  });

  it('a live cursor starts at the head and never hands out history', () => {
    const { source, commit, all } = stream(10, 0);
    const cursor = ReplayCursor.live(source, 5);
    assert.equal(cursor.accept(all[9]!), false);
    commit(1);
    assert.equal(cursor.accept(all[10]!), true);
    assert.equal(cursor.accept(all[10]!), false, 'never twice');
  });
});
