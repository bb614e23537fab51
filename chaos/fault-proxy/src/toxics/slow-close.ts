// Data passes untouched; the end of the stream (FIN) is held back for `delay` ms.
import { type Attributes, type RunnerContext, TimedRunner, type ToxicKind, num } from './runner.js';

class SlowCloseRunner extends TimedRunner {
  constructor(
    ctx: RunnerContext,
    private delay: number,
  ) {
    super(ctx);
  }
  override end(): void {
    this.schedule(this.delay, () => this.ctx.emitEnd());
  }
  override configure(attributes: Attributes): void {
    this.delay = num(attributes, 'delay');
  }
  override flush(): void {
    if (!this.pending) return;
    this.dispose();
    this.ctx.emitEnd();
  }
}

export const slowClose: ToxicKind = {
  type: 'slow_close',
  goStruct: 'SlowCloseToxic',
  attributes: [{ name: 'delay', goType: 'int64' }],
  create: (attributes, ctx) => new SlowCloseRunner(ctx, num(attributes, 'delay')),
};
