// A subscriber with a filter that resumes: when its socket closes without being asked to, it
// reconnects (to the first node in `urls()` that accepts) with since_seq set to the last seq it
// received, as a real client does. Everything received over all its connections is kept in arrival
// order, so the checks see exactly what an application would have seen.
import { matches, type SignalFilter } from '../../../src/domain/filter.js';
import { WsClient } from '../../../test/support/ws-client.js';
import type { Ack } from './publisher.js';

export interface DeliveryCheck {
  expected: number;
  delivered: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  /** Received but never acknowledged to a publisher (not an error: a publish whose answer was lost). */
  unacknowledged: number;
}

export class Subscriber {
  /** Every connection so far, in order; what each received is recorded by WsClient itself. */
  private readonly clients: WsClient[] = [];
  private client: WsClient | undefined;
  /** When each signal first arrived (live ones; a replay right after subscribing may be missed). */
  private readonly arrivals = new Map<string, number>();
  /** When each heartbeat arrived, over all connections. */
  readonly heartbeats: number[] = [];
  private stopped = false;
  private reconnecting: Promise<void> | undefined;

  private constructor(
    readonly name: string,
    private readonly urls: () => string[],
    private readonly token: string,
    readonly filter: SignalFilter,
  ) {}

  static async start(
    name: string,
    urls: () => string[],
    token: string,
    filter: SignalFilter = {},
  ): Promise<Subscriber> {
    const s = new Subscriber(name, urls, token, filter);
    await s.connect(0);
    return s;
  }

  /** Signals over all connections, in arrival order. */
  get received(): Array<{ id: string; seq: number }> {
    return this.clients.flatMap((c) => c.signals().map((x) => ({ id: x.id, seq: x.seq })));
  }

  get connections(): number {
    return this.clients.length;
  }

  get resets(): number {
    return this.clients.reduce((n, c) => n + c.messages.filter((m) => m.type === 'reset').length, 0);
  }

  get lastSeq(): number {
    for (let i = this.clients.length - 1; i >= 0; i--) {
      const seqs = (this.clients[i] as WsClient).seqs();
      if (seqs.length > 0) return seqs[seqs.length - 1] as number;
    }
    return 0;
  }

  get connected(): boolean {
    return this.client !== undefined && this.client.closedWith === undefined;
  }

  /** Closes the socket as a network failure would; the subscriber resumes by itself. */
  drop(): void {
    this.client?.close();
  }

  /** Waits for a resume in progress (if any) to finish. */
  async settled(): Promise<void> {
    await this.reconnecting;
  }

  stop(): void {
    this.stopped = true;
    this.client?.close();
  }

  private async connect(attempt: number): Promise<void> {
    const urls = this.urls();
    const url = urls[attempt % urls.length] as string;
    const c = await WsClient.subscribed(url, this.token, this.filter, this.lastSeq);
    this.clients.push(c);
    this.client = c;
    c.ws.on('message', (data) => {
      const now = Date.now();
      for (const m of [JSON.parse(data.toString())].flat() as Array<{
        type?: string;
        signal?: { id: string };
      }>)
        if (m.type === 'signal' && m.signal && !this.arrivals.has(m.signal.id))
          this.arrivals.set(m.signal.id, now);
        else if (m.type === 'heartbeat') this.heartbeats.push(now);
    });
    void c.closed.then(() => {
      if (!this.stopped) this.reconnecting = this.resume();
    });
  }

  private async resume(): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (let attempt = 0; !this.stopped && Date.now() < deadline; attempt++) {
      try {
        await this.connect(attempt);
        return;
      } catch {
        // Pacing between attempts, with jitter so a storm spreads a little, as clients do.
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  }

  /** What this subscriber must have: every acknowledged signal its filter matches, in seq order. */
  expected(acks: readonly Ack[]): Ack[] {
    return acks.filter((a) => matches(this.filter, a.signal)).sort((x, y) => x.seq - y.seq);
  }

  hasAll(acks: readonly Ack[]): boolean {
    const got = new Set(this.received.map((r) => r.id));
    return this.expected(acks).every((a) => got.has(a.id));
  }

  /** Slowest delivery (arrival minus acknowledgement) of the signals it wants acknowledged in [from, to). */
  maxDeliveryMs(acks: readonly Ack[], from: number, to: number): number {
    let max = 0;
    for (const a of this.expected(acks)) {
      const arrived = this.arrivals.get(a.id);
      if (a.at >= from && a.at < to && arrived !== undefined) max = Math.max(max, arrived - a.at);
    }
    return max;
  }

  check(acks: readonly Ack[]): DeliveryCheck {
    const expected = this.expected(acks);
    const seqOf = new Map(acks.map((a) => [a.id, a.seq]));
    const got = new Set<string>();
    let duplicated = 0;
    let outOfOrder = 0;
    let prev = 0;
    for (const r of this.received) {
      if (got.has(r.id)) duplicated++;
      got.add(r.id);
      const want = seqOf.get(r.id);
      if (r.seq <= prev || (want !== undefined && want !== r.seq)) outOfOrder++;
      prev = Math.max(prev, r.seq);
    }
    const delivered = expected.filter((a) => got.has(a.id)).length;
    return {
      expected: expected.length,
      delivered,
      lost: expected.length - delivered,
      duplicated,
      outOfOrder,
      unacknowledged: [...got].filter((id) => !seqOf.has(id)).length,
    };
  }
}
