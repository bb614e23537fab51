// What one toxic does on one link (one direction of one connection). A link owns an ordered chain of
// runners; each hands its output to the next one through its context, so a runner never knows its
// neighbours and the chain can change under live traffic.
import type { Rng } from '../rng.js';

/** A piece of the byte stream and when it was read (performance.now()), which latency measures from. */
export interface Piece {
  data: Buffer;
  ts: number;
}

export type CloseMode = 'fin' | 'rst';

export interface RunnerContext {
  emit(piece: Piece): void;
  emitEnd(): void;
  /** Bytes this runner threw away, so the link's flow control does not wait for them. */
  drop(bytes: number): void;
  closeConnection(mode: CloseMode): void;
  /** The link's end, once written, closes the whole connection (limit_data). */
  closeAfterEnd(): void;
  rng: Rng;
}

export type Attributes = Record<string, number>;

export interface ToxicRunner {
  push(piece: Piece): void;
  /** The source ended; everything pushed before has been pushed. */
  end(): void;
  /** New attributes for a live link. */
  configure(attributes: Attributes): void;
  /** The toxic is being removed: hand on everything held, at once and in order. */
  flush(): void;
  /** After flush on removal: the toxic's own consequence of leaving (timeout closes). */
  cleanup(): void;
  /** The connection is gone: cancel timers, hand on nothing. */
  dispose(): void;
}

/** State a toxic keeps per link across updates and toxicity re-draws (limit_data's byte count). */
export type LinkState = Record<string, number>;

export interface ToxicKind {
  type: string;
  /** The Go struct name, for error texts identical to Toxiproxy's. */
  goStruct: string;
  attributes: ReadonlyArray<{ name: string; goType: 'int64' | 'int' }>;
  create(attributes: Attributes, ctx: RunnerContext, state: LinkState): ToxicRunner;
}

/** Defaults for runners that hold nothing; each toxic overrides what it needs. */
export abstract class PassThroughRunner implements ToxicRunner {
  constructor(protected readonly ctx: RunnerContext) {}
  push(piece: Piece): void {
    this.ctx.emit(piece);
  }
  end(): void {
    this.ctx.emitEnd();
  }
  configure(_attributes: Attributes): void {}
  flush(): void {}
  cleanup(): void {}
  dispose(): void {}
}

export const num = (attributes: Attributes, name: string): number => attributes[name] ?? 0;

/** A runner driven by one timer at a time, cancelled when the connection goes. */
export abstract class TimedRunner extends PassThroughRunner {
  private timer: NodeJS.Timeout | undefined;
  protected get pending(): boolean {
    return this.timer !== undefined;
  }
  protected schedule(ms: number, fire: () => void): void {
    this.dispose();
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        fire();
      },
      Math.max(0, ms),
    );
  }
  override dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
