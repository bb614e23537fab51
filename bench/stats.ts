// Latency recording for the benchmark: raw samples (a run holds at most a few hundred thousand, so
// exact percentiles are cheap) plus a coarse bucket histogram for the JSON results.

/** Upper bucket edges in ms; the last bucket is everything above the last edge. */
export const BUCKET_EDGES_MS = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] as const;

export interface Summary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  /** `le_<edge>` -> count of samples at or below that edge and above the previous one; `gt_<last>` the rest. */
  buckets: Record<string, number>;
}

export class Recorder {
  private data = new Float64Array(1024);
  private n = 0;

  get count(): number {
    return this.n;
  }

  clear(): void {
    this.n = 0;
  }

  /** The samples as base64 (cheap over IPC); `merge` adds another process's. */
  raw(): string {
    return Buffer.from(this.data.buffer, 0, this.n * 8).toString('base64');
  }

  merge(raw: string): void {
    const b = Buffer.from(raw, 'base64');
    const v = new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
    for (const x of v) this.add(x);
  }

  add(ms: number): void {
    if (this.n === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.n++] = ms;
  }

  summary(): Summary {
    const v = this.data.slice(0, this.n).sort();
    const at = (q: number) =>
      v.length === 0 ? Number.NaN : (v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)] ?? Number.NaN);
    let sum = 0;
    const buckets: Record<string, number> = {};
    for (const e of BUCKET_EDGES_MS) buckets[`le_${e}`] = 0;
    const last = BUCKET_EDGES_MS[BUCKET_EDGES_MS.length - 1] as number;
    buckets[`gt_${last}`] = 0;
    for (const x of v) {
      sum += x;
      const edge = BUCKET_EDGES_MS.find((e) => x <= e);
      const key = edge === undefined ? `gt_${last}` : `le_${edge}`;
      buckets[key] = (buckets[key] ?? 0) + 1;
    }
    return {
      count: v.length,
      mean: v.length === 0 ? Number.NaN : sum / v.length,
      p50: at(0.5),
      p95: at(0.95),
      p99: at(0.99),
      p999: at(0.999),
      max: v.length === 0 ? Number.NaN : (v[v.length - 1] as number),
      buckets,
    };
  }
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
