// One direction of a proxied connection: bytes read from `src` run through the chain of toxics of that
// direction, in insertion order, and are written to `dst`. The chain changes under live traffic: a toxic
// that leaves hands on what it holds, in order, before it is unlinked, so nothing waits on it and
// removal never blocks.
import type { Socket } from 'node:net';
import type { Rng } from '../rng.js';
import { type Direction, type Toxic, applies } from '../toxic.js';
import type { CloseMode, LinkState, Piece, RunnerContext, ToxicRunner } from '../toxics/runner.js';

/** Bytes read but not yet written to the kernel (or dropped) above which reading pauses. */
const HIGH_WATER = 256 * 1024;
const LOW_WATER = 64 * 1024;

interface Stage {
  toxic: Toxic;
  runner: ToxicRunner | null;
  state: LinkState;
}

export interface LinkHooks {
  close(mode: CloseMode): void;
  counted(direction: Direction, kind: 'received' | 'sent', bytes: number): void;
}

export class Link {
  readonly bytes = { received: 0, sent: 0 };
  private stages: Stage[] = [];
  private inFlight = 0;
  private paused = false;
  private finished = false;
  private closeAfterEnd = false;
  /** The connection is gone: toxics added from now on must not start timers for it. */
  private disposed = false;

  constructor(
    readonly direction: Direction,
    private readonly src: Socket,
    private readonly dst: Socket,
    private readonly rng: Rng,
    private readonly hooks: LinkHooks,
    toxics: readonly Toxic[],
  ) {
    for (const toxic of toxics) this.addToxic(toxic);
  }

  start(): void {
    this.src.on('data', (data: Buffer) => {
      this.bytes.received += data.length;
      this.hooks.counted(this.direction, 'received', data.length);
      this.inFlight += data.length;
      if (this.inFlight > HIGH_WATER && !this.paused) {
        this.paused = true;
        this.src.pause();
      }
      this.pushFrom(0, { data, ts: performance.now() });
    });
    this.src.on('end', () => this.endFrom(0));
    this.src.resume();
  }

  /** Names of the toxics whose dice came up for this link: the live view of what applies. */
  activeToxics(): string[] {
    return this.stages.filter((s) => s.runner !== null).map((s) => s.toxic.name);
  }

  addToxic(toxic: Toxic): void {
    const stage: Stage = { toxic, runner: null, state: {} };
    this.stages.push(stage);
    this.draw(stage);
  }

  /** A toxic's update re-draws its dice for every live link, as Toxiproxy restarts the stage. */
  updateToxic(toxic: Toxic): void {
    const stage = this.stages.find((s) => s.toxic === toxic);
    if (!stage || this.disposed) return;
    const runner = stage.runner;
    if (!runner) return this.draw(stage);
    if (applies(toxic.toxicity, this.rng())) return runner.configure(toxic.attributes);
    runner.flush();
    runner.dispose();
    stage.runner = null;
  }

  removeToxic(toxic: Toxic): void {
    const stage = this.stages.find((s) => s.toxic === toxic);
    if (!stage || this.disposed) return;
    const runner = stage.runner;
    // Flush while still linked, so what it held goes to the stage after it, behind nothing newer.
    runner?.flush();
    runner?.cleanup();
    runner?.dispose();
    this.stages = this.stages.filter((s) => s !== stage);
  }

  dispose(): void {
    this.disposed = true;
    for (const stage of this.stages) stage.runner?.dispose();
  }

  private draw(stage: Stage): void {
    if (!applies(stage.toxic.toxicity, this.rng()) || this.finished || this.disposed) return;
    stage.runner = stage.toxic.kind.create(stage.toxic.attributes, this.contextFor(stage), stage.state);
  }

  private contextFor(stage: Stage): RunnerContext {
    const after = () => this.stages.indexOf(stage) + 1;
    return {
      emit: (piece) => (after() > 0 ? this.pushFrom(after(), piece) : this.release(piece.data.length)),
      emitEnd: () => {
        if (after() > 0) this.endFrom(after());
      },
      drop: (bytes) => this.release(bytes),
      closeConnection: (mode) => this.hooks.close(mode),
      closeAfterEnd: () => {
        this.closeAfterEnd = true;
      },
      rng: this.rng,
    };
  }

  private pushFrom(index: number, piece: Piece): void {
    for (let i = index; i < this.stages.length; i++) {
      const runner = this.stages[i]?.runner;
      if (runner) return runner.push(piece);
    }
    this.write(piece);
  }

  private endFrom(index: number): void {
    for (let i = index; i < this.stages.length; i++) {
      const runner = this.stages[i]?.runner;
      if (runner) return runner.end();
    }
    this.finish();
  }

  private write(piece: Piece): void {
    const n = piece.data.length;
    if (this.finished || this.dst.destroyed || n === 0) return this.release(n);
    this.bytes.sent += n;
    this.hooks.counted(this.direction, 'sent', n);
    this.dst.write(piece.data, () => this.release(n));
  }

  /** Half-close: the peer gets a FIN for this direction only, and the other direction keeps flowing. */
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.dst.destroyed) return;
    if (this.closeAfterEnd) this.dst.end(() => this.hooks.close('fin'));
    else this.dst.end();
  }

  private release(bytes: number): void {
    this.inFlight -= bytes;
    if (this.paused && this.inFlight <= LOW_WATER) {
      this.paused = false;
      this.src.resume();
    }
  }
}
