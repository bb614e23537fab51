// A REST publisher with its own ledger of what was acknowledged: it keeps posting signals (one at a
// time, rotating over a few tickers and catalysts so filters matter), retries an id that was not
// acknowledged with the same id until it is (publishes are idempotent by id), and moves to the next
// node when one refuses connections. The ledger, not the server, is the truth the checks compare to.
import type { Signal, SignalInput } from '../../../src/domain/signal.js';
import { request } from '../../../test/support/node.js';
import { makeSignal } from '../../../test/support/signals.js';
import type { Phase, Phases } from './phases.js';

const TICKERS = ['NBTX', 'ACME', 'ZYXI'];
const CATALYSTS = ['fda', 'merger', 'offering'];

export interface Ack {
  id: string;
  seq: number;
  signal: Signal;
  phase: Phase;
  /** When the acknowledgement arrived. */
  at: number;
}

export interface Attempt {
  at: number;
  ms: number;
  status: number;
  /** The Retry-After header of a refusal, if any. */
  retryAfter?: string;
  phase: Phase;
}

export class Publisher {
  readonly acks: Ack[] = [];
  readonly attempts: Attempt[] = [];
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private n = 0;

  /** `targets` is read before every attempt, so a scenario can drop a dead node. */
  constructor(
    private readonly targets: () => string[],
    private readonly token: string,
    private readonly phases: Phases,
    private readonly paceMs = 25,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the signal in flight is acknowledged (it is retried until then, for up to 60 s). */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private next(): SignalInput {
    const i = this.n++;
    return makeSignal({
      ticker: TICKERS[i % TICKERS.length],
      catalyst: CATALYSTS[Math.floor(i / TICKERS.length) % CATALYSTS.length],
      sentiment: i % 2 === 0 ? 0.6 : -0.4,
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      const s = this.next();
      await this.untilAcknowledged(s);
      // Pacing, not a wait for an event.
      await new Promise((r) => setTimeout(r, this.paceMs));
    }
  }

  private async untilAcknowledged(s: SignalInput): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      const urls = this.targets();
      const url = urls[attempt % urls.length] as string;
      const at = Date.now();
      let status = 0;
      let retryAfter: string | undefined;
      try {
        const r = await request<Signal & { seq: number }>(url, 'POST', '/signals', {
          token: this.token,
          body: s,
        });
        status = r.status;
        retryAfter = r.headers.get('retry-after') ?? undefined;
        if (status === 200 || status === 201) {
          this.acks.push({
            id: s.id,
            seq: r.body.seq,
            signal: { ...s, seq: r.body.seq, created_at: '' },
            phase: this.phases.current,
            at: Date.now(),
          });
        }
      } catch {
        status = 0; // connection refused or reset: not acknowledged
      }
      this.attempts.push({ at, ms: Date.now() - at, status, retryAfter, phase: this.phases.current });
      if (status === 200 || status === 201) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`signal ${s.id} was not acknowledged within 60 s`);
  }

  /** Slowest answer (any status) to an attempt made in `phase`. */
  maxLatency(phase: Phase): number {
    return Math.max(0, ...this.attempts.filter((a) => a.phase === phase).map((a) => a.ms));
  }

  acked(phase: Phase): number {
    return this.acks.filter((a) => a.phase === phase).length;
  }
}
