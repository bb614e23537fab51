// FanOut on its own, with recipients that record what they are written: the guarantees the
// gateway builds on (each signal once per recipient, in seq order, whatever the slicing; a lone
// signal written as itself; everything written before idle() resolves). No timing is asserted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FanOut, type Recipient } from '../../src/gateway/fan-out.js';
import { joinFrame } from '../../src/gateway/messages.js';
import type { Signal } from '../../src/domain/signal.js';
import { makeSignal } from '../support/signals.js';

class Recorder implements Recipient {
  readonly frames: string[] = [];
  private outbox: string[] = [];
  constructor(readonly wants: (s: Signal) => boolean) {}
  offer(signal: Signal, text: () => string): boolean {
    if (!this.wants(signal)) return false;
    this.outbox.push(text());
    return true;
  }
  flush(): number {
    const n = this.outbox.length;
    if (n > 0) this.frames.push(joinFrame(this.outbox.splice(0)));
    return n;
  }
  seqs(): number[] {
    return this.frames.flatMap((f) => {
      const parsed = JSON.parse(f) as { seq: number } | { seq: number }[];
      return (Array.isArray(parsed) ? parsed : [parsed]).map((m) => m.seq);
    });
  }
}

const signals = (n: number, from = 1): Signal[] =>
  Array.from({ length: n }, (_, i) => ({
    ...makeSignal({ ticker: `T${i % 3}` }),
    seq: from + i,
    created_at: new Date().toISOString(),
  })) as Signal[];

function fanOut(recipients: Recorder[], slice: { sliceOffers: number; sliceWrites: number }) {
  const delivered = new Map<number, number>();
  const f = new FanOut<Recorder>({
    candidates: () => recipients[Symbol.iterator](),
    ...slice,
    windowMs: 0,
    maxQueued: 1_000_000,
    onDelivered: (s, n) => delivered.set(s.seq, (delivered.get(s.seq) ?? 0) + n),
  });
  return { f, delivered };
}

describe('FanOut', () => {
  it('every recipient gets each matching seq exactly once, in order, however small the slices', async () => {
    const recipients = Array.from({ length: 7 }, (_, i) => new Recorder((s) => s.ticker === `T${i % 3}`));
    const all = signals(200);
    for (const slice of [
      { sliceOffers: 1, sliceWrites: 1 },
      { sliceOffers: 5, sliceWrites: 2 },
      { sliceOffers: 10_000, sliceWrites: 10_000 },
    ]) {
      for (const r of recipients) r.frames.length = 0;
      const { f, delivered } = fanOut(recipients, slice);
      // Pushed over several turns, as a feed hands them out.
      for (let i = 0; i < all.length; i += 13) {
        for (const s of all.slice(i, i + 13)) f.push(s);
        await new Promise((r) => setImmediate(r));
      }
      await f.idle();
      recipients.forEach((r, i) => {
        const want = all.filter((s) => s.ticker === `T${i % 3}`).map((s) => s.seq);
        assert.deepEqual(r.seqs(), want, `recipient ${i} with ${JSON.stringify(slice)}`);
      });
      assert.equal(f.doneSeq, 200);
      const expected = all.map((s) => recipients.filter((r) => r.wants(s)).length);
      assert.deepEqual(
        all.map((s) => delivered.get(s.seq) ?? 0),
        expected,
        'onDelivered counts each delivery once',
      );
    }
  });

  it('a signal alone is written as a single object; several due in one turn as one array frame', async () => {
    const r = new Recorder(() => true);
    const { f } = fanOut([r], { sliceOffers: 1000, sliceWrites: 1000 });
    f.push(signals(1)[0] as Signal);
    await f.idle();
    assert.equal(r.frames.length, 1);
    assert.ok(!Array.isArray(JSON.parse(r.frames[0] as string)), 'one signal is not wrapped in an array');
    for (const s of signals(5, 2)) f.push(s);
    await f.idle();
    assert.equal(r.frames.length, 2, 'five signals of one turn go in one frame');
    assert.deepEqual(r.seqs(), [1, 2, 3, 4, 5, 6]);
  });

  it('each signal is serialised once, whatever the number of recipients', async () => {
    const recipients = Array.from({ length: 50 }, () => new Recorder(() => true));
    const { f } = fanOut(recipients, { sliceOffers: 7, sliceWrites: 3 });
    const stringify = JSON.stringify;
    let calls = 0;
    JSON.stringify = ((...args: Parameters<typeof stringify>) => {
      calls += 1;
      return stringify(...args);
    }) as typeof stringify;
    try {
      for (const s of signals(4)) f.push(s);
      await f.idle();
    } finally {
      JSON.stringify = stringify;
    }
    assert.equal(calls, 4);
    for (const r of recipients) assert.deepEqual(r.seqs(), [1, 2, 3, 4]);
  });
});
