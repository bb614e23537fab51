// A toxic as configured through the API. Its runners on live links read it when they are created or
// updated; the JSON shape and field order are Toxiproxy's.
import type { Attributes, ToxicKind } from './toxics/runner.js';

export type Direction = 'upstream' | 'downstream';

export class Toxic {
  constructor(
    readonly name: string,
    readonly kind: ToxicKind,
    /** Stored and echoed exactly as sent ("UpStream" stays "UpStream"); only its meaning is case-blind. */
    readonly stream: string,
    public toxicity: number,
    public attributes: Attributes,
  ) {}

  get direction(): Direction {
    return directionOf(this.stream) ?? 'downstream';
  }

  toJSON() {
    return {
      attributes: this.attributes,
      name: this.name,
      type: this.kind.type,
      stream: this.stream,
      toxicity: this.toxicity,
    };
  }
}

export function directionOf(stream: string): Direction | undefined {
  const s = stream.toLowerCase();
  return s === 'upstream' || s === 'downstream' ? s : undefined;
}

/** rand[0,1) < toxicity: 1 and above always applies, 0 and below never. */
export const applies = (toxicity: number, draw: number): boolean => draw < toxicity;
