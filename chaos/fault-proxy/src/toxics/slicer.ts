// Splits each piece by halving it (each cut moved by up to ±size_variation) until every part is at most
// average_size + size_variation, and sends the parts `delay` microseconds apart.
import { QueuedRunner } from './delay-queue.js';
import { type Rng, randomInt } from '../rng.js';
import { type Piece, type ToxicKind, num } from './runner.js';

export interface SliceShape {
  averageSize: number;
  sizeVariation: number;
}

/** Cut points [0, c1, ..., len]. average_size <= 0 would recurse for ever in Toxiproxy; it counts as 1 here. */
export function slicePoints(length: number, shape: SliceShape, rng: Rng): number[] {
  const average = Math.max(1, shape.averageSize);
  const variation = Math.max(0, shape.sizeVariation);
  const points = [0];
  const split = (start: number, end: number): void => {
    if (end - start - average <= variation) {
      points.push(end);
      return;
    }
    let mid = start + Math.floor((end - start) / 2);
    if (variation > 0) mid += randomInt(rng, 2 * variation) - variation;
    mid = Math.min(end - 1, Math.max(start + 1, mid));
    split(start, mid);
    split(mid, end);
  };
  if (length > 0) split(0, length);
  return points;
}

class SlicerRunner extends QueuedRunner {
  override push(piece: Piece): void {
    const points = slicePoints(
      piece.data.length,
      {
        averageSize: num(this.attributes, 'average_size'),
        sizeVariation: num(this.attributes, 'size_variation'),
      },
      this.ctx.rng,
    );
    const gap = Math.max(0, num(this.attributes, 'delay')) / 1000;
    let at = gap > 0 ? this.startTime() : 0;
    for (let i = 1; i < points.length; i++) {
      this.later(at, { data: piece.data.subarray(points[i - 1], points[i]), ts: piece.ts });
      at += gap;
    }
    this.busyUntil = at;
  }
}

export const slicer: ToxicKind = {
  type: 'slicer',
  goStruct: 'SlicerToxic',
  attributes: [
    { name: 'average_size', goType: 'int' },
    { name: 'size_variation', goType: 'int' },
    { name: 'delay', goType: 'int' },
  ],
  create: (attributes, ctx) => new SlicerRunner(ctx, attributes),
};
