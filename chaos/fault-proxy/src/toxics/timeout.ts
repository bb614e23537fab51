// Drops everything in its direction. With timeout > 0 it closes the connection after that long with no
// data arriving (each dropped piece restarts the clock), as Toxiproxy does. Leaving closes the connection
// too: data has been lost, so the stream cannot be resumed honestly.
import {
  type Attributes,
  type Piece,
  type RunnerContext,
  TimedRunner,
  type ToxicKind,
  num,
} from './runner.js';

class TimeoutRunner extends TimedRunner {
  constructor(
    ctx: RunnerContext,
    private timeout: number,
  ) {
    super(ctx);
    this.arm();
  }
  private arm(): void {
    this.dispose();
    if (this.timeout > 0) this.schedule(this.timeout, () => this.ctx.closeConnection('fin'));
  }
  override push(piece: Piece): void {
    this.ctx.drop(piece.data.length);
    this.arm();
  }
  override end(): void {
    this.dispose();
    this.ctx.emitEnd();
  }
  override configure(attributes: Attributes): void {
    this.timeout = num(attributes, 'timeout');
    this.arm();
  }
  override cleanup(): void {
    this.ctx.closeConnection('fin');
  }
}

export const timeout: ToxicKind = {
  type: 'timeout',
  goStruct: 'TimeoutToxic',
  attributes: [{ name: 'timeout', goType: 'int64' }],
  create: (attributes, ctx) => new TimeoutRunner(ctx, num(attributes, 'timeout')),
};
