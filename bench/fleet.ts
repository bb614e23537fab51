// Load generators as child processes: a fleet of subscriber processes (bench/subscribers.ts) and
// one HTTP load process (bench/http-load.ts), spoken to over IPC.
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { HttpJob, HttpLoadResult } from './http-load.js';
import { endGroup, forkGroup } from './procs.js';
import { ROOT } from './server.js';
import { Recorder, type Summary } from './stats.js';
import type { StartMessage, SubscriberReport } from './subscribers.js';
import type { Target } from './targets.js';
import { filtersOf, type Workload } from './workload.js';

/** Sends `msg` and waits for the reply of type `reply` (a 'failed' reply rejects). */
export function ask<T>(child: ChildProcess, msg: object, reply: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', listener);
      reject(new Error(`no "${reply}" from the load generator in ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (m: unknown) => {
      const type = (m as { type: string }).type;
      if (type !== reply && type !== 'failed') return;
      clearTimeout(timer);
      child.off('message', listener);
      if (type === 'failed')
        reject(new Error(`load generator failed: ${(m as { message: string }).message}`));
      else resolve(m as T);
    };
    child.on('message', listener);
    child.send(msg);
  });
}

export interface FleetReport extends Omit<SubscriberReport, 'samples' | 'type'> {
  latency: Summary;
}

export class Fleet {
  private constructor(
    readonly procs: ChildProcess[],
    readonly size: number,
    readonly connectMs: number,
  ) {}

  /** Opens `n` subscribers on the target over `processes` generator processes, each from its own loopback address. */
  static async open(target: Target, n: number, workload: Workload, processes: number): Promise<Fleet> {
    const procs = Array.from({ length: processes }, () => forkGroup(join(ROOT, 'bench', 'subscribers.ts')));
    const t0 = performance.now();
    try {
      const per = Math.ceil(n / processes);
      await Promise.all(
        procs.map((p, g) => {
          const count = Math.max(0, Math.min(per, n - g * per));
          const start: StartMessage = {
            type: 'start',
            url: target.wsUrl,
            token: target.subscribeToken,
            subscribers: count,
            filters: filtersOf(workload),
            offset: g * per,
            protocol: target.protocol,
            localAddress: `127.0.0.${2 + g}`,
            connectConcurrency: 64,
          };
          return ask(p, start, 'ready', 300_000);
        }),
      );
    } catch (err) {
      await Promise.all(procs.map((p) => endGroup(p, 2000)));
      throw err;
    }
    return new Fleet(procs, n, performance.now() - t0);
  }

  /** Gives every subscriber its filter of another workload, on the open connections. */
  async resubscribe(workload: Workload): Promise<void> {
    const filters = filtersOf(workload);
    await Promise.all(
      this.procs.map((p) => ask(p, { type: 'resubscribe', filters }, 'resubscribed', 300_000)),
    );
  }

  async measured(): Promise<number> {
    const ps = await Promise.all(
      this.procs.map((p) => ask<{ measured: number }>(p, { type: 'progress' }, 'progress', 30_000)),
    );
    return ps.reduce((s, p) => s + p.measured, 0);
  }

  async resetStats(): Promise<void> {
    await Promise.all(this.procs.map((p) => ask(p, { type: 'reset-stats' }, 'stats-reset', 30_000)));
  }

  /**
   * Waits until `expected` deliveries arrived, or the count stopped moving for `quietMs`, or `maxMs`
   * passed; returns the count and when (performance.now()) it last moved.
   */
  async drain(
    expected: number,
    quietMs = 1000,
    maxMs = 10_000,
  ): Promise<{ measured: number; lastMoved: number }> {
    const t0 = performance.now();
    let last = -1;
    let lastMoved = performance.now();
    for (;;) {
      const m = await this.measured();
      if (m !== last) {
        last = m;
        lastMoved = performance.now();
      }
      if (m >= expected || performance.now() - lastMoved > quietMs || performance.now() - t0 > maxMs)
        return { measured: m, lastMoved };
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async report(): Promise<FleetReport> {
    const reps = await Promise.all(
      this.procs.map((p) => ask<SubscriberReport>(p, { type: 'report' }, 'report', 60_000)),
    );
    const rec = new Recorder();
    const sum = (k: 'measured' | 'received' | 'duplicates' | 'outOfOrder' | 'closed' | 'errors' | 'resets') =>
      reps.reduce((s, r) => s + r[k], 0);
    const closeCodes: Record<string, number> = {};
    const perTicker: Record<string, number> = {};
    for (const r of reps) {
      rec.merge(r.samples);
      for (const [k, v] of Object.entries(r.closeCodes)) closeCodes[k] = (closeCodes[k] ?? 0) + v;
      for (const [k, v] of Object.entries(r.perTicker)) perTicker[k] = (perTicker[k] ?? 0) + v;
    }
    return {
      latency: rec.summary(),
      measured: sum('measured'),
      received: sum('received'),
      duplicates: sum('duplicates'),
      outOfOrder: sum('outOfOrder'),
      closed: sum('closed'),
      errors: sum('errors'),
      resets: sum('resets'),
      closeCodes,
      perTicker,
    };
  }

  /** Drops every connection at once and resumes; resolves when every one is subscribed again. */
  async storm(): Promise<{ ms: number; resumed: number; resets: number }> {
    const rs = await Promise.all(
      this.procs.map((p) =>
        ask<{ ms: number; resumed: number; resets: number }>(p, { type: 'storm' }, 'stormed', 300_000),
      ),
    );
    return {
      ms: Math.max(...rs.map((r) => r.ms)),
      resumed: rs.reduce((s, r) => s + r.resumed, 0),
      resets: rs.reduce((s, r) => s + r.resets, 0),
    };
  }

  async close(): Promise<void> {
    for (const p of this.procs) if (p.connected) p.send({ type: 'exit' });
    await Promise.all(this.procs.map((p) => endGroup(p, 5000)));
  }
}

/** Runs one HTTP load job in a fresh process; `onMeasuring` fires when its warm-up ends. */
export async function httpLoad(
  job: HttpJob,
  onMeasuring: () => void,
  timeoutMs = 600_000,
): Promise<HttpLoadResult> {
  const child = forkGroup(join(ROOT, 'bench', 'http-load.ts'));
  const listener = (m: unknown) => {
    if ((m as { type: string }).type === 'measuring') onMeasuring();
  };
  child.on('message', listener);
  try {
    return await ask<HttpLoadResult>(child, job, 'done', timeoutMs);
  } finally {
    child.off('message', listener);
    await endGroup(child, 2000);
  }
}
