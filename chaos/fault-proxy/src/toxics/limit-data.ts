// Forwards at most `bytes` bytes per connection and direction, cutting the piece that crosses the limit,
// then ends the stream and closes the connection once that end is written. The count lives in the link's
// state, so it survives updates of the toxic.
import {
  type Attributes,
  type LinkState,
  PassThroughRunner,
  type Piece,
  type RunnerContext,
  type ToxicKind,
  num,
} from './runner.js';

class LimitDataRunner extends PassThroughRunner {
  private done = false;
  constructor(
    ctx: RunnerContext,
    private limit: number,
    private readonly state: LinkState,
  ) {
    super(ctx);
  }
  override push(piece: Piece): void {
    if (this.done) {
      this.ctx.drop(piece.data.length);
      return;
    }
    const sent = this.state.transmitted ?? 0;
    const room = Math.max(0, this.limit - sent);
    const data = piece.data.length > room ? piece.data.subarray(0, room) : piece.data;
    this.ctx.drop(piece.data.length - data.length);
    if (data.length > 0) {
      this.state.transmitted = sent + data.length;
      this.ctx.emit({ data, ts: piece.ts });
    }
    if (this.limit - (this.state.transmitted ?? 0) <= 0) {
      this.done = true;
      this.ctx.closeAfterEnd();
      this.ctx.emitEnd();
    }
  }
  override end(): void {
    if (!this.done) this.ctx.emitEnd();
  }
  override configure(attributes: Attributes): void {
    this.limit = num(attributes, 'bytes');
  }
}

export const limitData: ToxicKind = {
  type: 'limit_data',
  goStruct: 'LimitDataToxic',
  attributes: [{ name: 'bytes', goType: 'int64' }],
  create: (attributes, ctx, state) => new LimitDataRunner(ctx, num(attributes, 'bytes'), state),
};
