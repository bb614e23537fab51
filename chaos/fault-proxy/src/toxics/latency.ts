// Each piece leaves at (time read + latency ± jitter), measured from arrival so a stream does not
// accumulate delay; order is kept, so a piece drawn early waits for the one before it.
import { QueuedRunner } from './delay-queue.js';
import { randomInt } from '../rng.js';
import { type Piece, type ToxicKind, num } from './runner.js';

class LatencyRunner extends QueuedRunner {
  private delay(): number {
    const jitter = num(this.attributes, 'jitter');
    const offset = jitter > 0 ? randomInt(this.ctx.rng, 2 * jitter) - jitter : 0;
    return Math.max(0, num(this.attributes, 'latency') + offset);
  }

  override push(piece: Piece): void {
    const due = piece.ts + this.delay();
    // Later latency toxics in the chain measure from this release time, so chained toxics add up.
    this.later(due, { data: piece.data, ts: due });
  }
}

export const latency: ToxicKind = {
  type: 'latency',
  goStruct: 'LatencyToxic',
  attributes: [
    { name: 'latency', goType: 'int64' },
    { name: 'jitter', goType: 'int64' },
  ],
  create: (attributes, ctx) => new LatencyRunner(ctx, attributes),
};
