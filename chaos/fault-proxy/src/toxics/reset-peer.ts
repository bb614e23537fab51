// Waits for the first piece (or the end) in its direction, drops it, and `timeout` ms later resets both
// sockets with a real RST (SO_LINGER 0), whether the toxic predates the connection or not.
import {
  type Attributes,
  type Piece,
  type RunnerContext,
  TimedRunner,
  type ToxicKind,
  num,
} from './runner.js';

class ResetPeerRunner extends TimedRunner {
  private triggered = false;
  constructor(
    ctx: RunnerContext,
    private timeout: number,
  ) {
    super(ctx);
  }
  private trigger(): void {
    if (this.triggered) return;
    this.triggered = true;
    this.schedule(this.timeout, () => this.ctx.closeConnection('rst'));
  }
  override push(piece: Piece): void {
    this.ctx.drop(piece.data.length);
    this.trigger();
  }
  override end(): void {
    this.trigger();
  }
  override configure(attributes: Attributes): void {
    this.timeout = num(attributes, 'timeout');
  }
  override cleanup(): void {
    // Data was already dropped, so the promised reset happens now rather than never.
    if (this.pending) this.ctx.closeConnection('rst');
  }
}

export const resetPeer: ToxicKind = {
  type: 'reset_peer',
  goStruct: 'ResetToxic',
  attributes: [{ name: 'timeout', goType: 'int64' }],
  create: (attributes, ctx) => new ResetPeerRunner(ctx, num(attributes, 'timeout')),
};
