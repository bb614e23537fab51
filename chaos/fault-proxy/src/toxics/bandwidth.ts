// rate is in KB/s with 1 KB = 1000 bytes, so a piece costs len/rate ms. A piece larger than 100 ms worth
// goes out in rate*100-byte slices every 100 ms. Idle time earns no credit: the clock restarts at the
// arrival of a piece that finds the link idle.
import { QueuedRunner } from './delay-queue.js';
import { type Piece, type ToxicKind, num } from './runner.js';

class BandwidthRunner extends QueuedRunner {
  override push(piece: Piece): void {
    const rate = num(this.attributes, 'rate');
    if (rate <= 0) return this.later(0, piece);
    const start = this.startTime();
    const slice = rate * 100;
    let data = piece.data;
    let at = start;
    while (data.length > slice) {
      at += 100;
      this.later(at, { data: data.subarray(0, slice), ts: piece.ts });
      data = data.subarray(slice);
    }
    this.busyUntil = start + piece.data.length / rate;
    this.later(this.busyUntil, { data, ts: piece.ts });
  }
}

export const bandwidth: ToxicKind = {
  type: 'bandwidth',
  goStruct: 'BandwidthToxic',
  attributes: [{ name: 'rate', goType: 'int64' }],
  create: (attributes, ctx) => new BandwidthRunner(ctx, attributes),
};
