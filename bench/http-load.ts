// The HTTP side of the load, run as its own process (forked with an IPC channel): publishing at a
// fixed rate (open loop: request k is due at t0 + k*per/rate whatever earlier answers do), ingest
// (writers posting back to back) and reads (GET at a fixed request rate).
//
// IPC: parent -> PublishJob | IngestJob | ReadJob; child -> {type:'measuring'} when warm-up ends,
//      then {type:'done', ...HttpLoadResult}.
import http from 'node:http';
import { Recorder, nowMs, type Summary } from './stats.js';
import { classOf, type SignalBody, signalOf, type Workload } from './workload.js';

interface Common {
  url: string;
  token: string;
  warmupS: number;
  durationS: number;
}
export interface PublishJob extends Common {
  type: 'publish';
  workload: Workload;
  run: string;
  /** Signals per second. */
  rate: number;
  /** Signals per request: 1 is POST /signals, more is POST /signals/batch. */
  per: number;
}
export interface IngestJob extends Common {
  type: 'ingest';
  workload: Workload;
  run: string;
  /** 1: POST /signals, else /signals/batch of this many. */
  per: number;
  concurrency: number;
}
export interface ReadJob extends Common {
  type: 'read';
  /** Requests per second. */
  rate: number;
  path: string;
}
export type HttpJob = PublishJob | IngestJob | ReadJob;

export interface HttpLoadResult {
  type: 'done';
  windowS: number;
  /** 2xx signals (publish, ingest) or answers (read) in the measured window. */
  ok: number;
  /** Measured stored signals per workload class (publish). */
  perClass: number[];
  latency: Summary;
  statuses: Record<string, number>;
  maxInFlight: number;
  /** Largest delay of a send behind its schedule: the load generator's own saturation. */
  lateMs: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function request(
  url: string,
  method: string,
  token: string,
  body?: string,
): Promise<{ status: number; text: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = nowMs();
    const req = http.request(url, {
      agent,
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
      },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, ms: nowMs() - t0 }));
    });
    req.on('error', (err) => resolve({ status: 0, text: err.message, ms: nowMs() - t0 }));
    req.end(body);
  });
}

/** POSTs signals: one to /signals, more to /signals/batch. */
const postSignals = (job: Common, items: SignalBody[]) =>
  request(
    job.url + (items.length === 1 ? '/signals' : '/signals/batch'),
    'POST',
    job.token,
    JSON.stringify(items.length === 1 ? items[0] : items),
  );

/** Items with a seq in a 2xx answer of POST /signals (1) or /signals/batch (results). */
function storedIn(status: number, text: string, per: number): number {
  if (status < 200 || status >= 300) return 0;
  if (per === 1) return 1;
  return (JSON.parse(text) as { results: { seq?: number }[] }).results.filter((r) => r.seq !== undefined)
    .length;
}

async function openLoop(
  job: { rate: number; warmupS: number; durationS: number },
  per: number,
  send: (k: number, warmup: boolean) => Promise<{ counted: number }>,
): Promise<Omit<HttpLoadResult, 'type' | 'perClass' | 'latency' | 'statuses'> & { windowS: number }> {
  const requests = Math.round(((job.warmupS + job.durationS) * job.rate) / per);
  const warm = Math.round((job.warmupS * job.rate) / per);
  const pending = new Set<Promise<unknown>>();
  let maxInFlight = 0;
  let lateMs = 0;
  let ok = 0;
  let tStart = performance.now();
  const t0 = performance.now() + 20;
  for (let k = 0; k < requests; k++) {
    const due = t0 + (k * per * 1000) / job.rate;
    const ahead = due - performance.now();
    if (ahead > 1) await sleep(ahead - 0.5);
    while (performance.now() < due) {
      // spin the last half millisecond for a steady schedule
    }
    if (k === warm) {
      tStart = performance.now();
      process.send?.({ type: 'measuring' });
    }
    lateMs = Math.max(lateMs, performance.now() - due);
    const p = send(k, k < warm).then((r) => {
      ok += r.counted;
      pending.delete(p);
    });
    pending.add(p);
    maxInFlight = Math.max(maxInFlight, pending.size);
  }
  const windowS = (performance.now() - tStart) / 1000;
  await Promise.all(pending);
  return { windowS, ok, maxInFlight, lateMs };
}

async function publish(job: PublishJob): Promise<HttpLoadResult> {
  const latency = new Recorder();
  const statuses: Record<string, number> = {};
  const perClass: number[] = [];
  const r = await openLoop(job, job.per, async (k, warmup) => {
    const meta = { sent_at: nowMs(), warmup };
    const js = Array.from({ length: job.per }, (_, i) => k * job.per + i);
    const items = js.map((j) => signalOf(job.workload, job.run, j, meta));
    const res = await postSignals(job, items);
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    if (warmup || res.status < 200 || res.status >= 300) return { counted: 0 };
    latency.add(res.ms);
    const results =
      job.per === 1 ? [{ seq: 1 }] : (JSON.parse(res.text) as { results: { seq?: number }[] }).results;
    results.forEach((x, i) => {
      if (x.seq === undefined) return;
      const c = classOf(job.workload, js[i] as number);
      perClass[c] = (perClass[c] ?? 0) + 1;
    });
    return { counted: results.length };
  });
  return {
    type: 'done',
    ...r,
    perClass: Array.from(perClass, (n) => n ?? 0),
    latency: latency.summary(),
    statuses,
  };
}

async function ingest(job: IngestJob): Promise<HttpLoadResult> {
  const latency = new Recorder();
  const statuses: Record<string, number> = {};
  let j = 0;
  let ok = 0;
  let measuring = false;
  let tMeasure = 0;
  const tWarm = performance.now() + job.warmupS * 1000;
  const tEnd = tWarm + job.durationS * 1000;
  const worker = async () => {
    while (performance.now() < tEnd) {
      const items = Array.from({ length: job.per }, () =>
        signalOf(job.workload, job.run, j++, { sent_at: nowMs() }),
      );
      if (!measuring && performance.now() >= tWarm) {
        measuring = true;
        tMeasure = performance.now();
        process.send?.({ type: 'measuring' });
      }
      const counted = measuring;
      const res = await postSignals(job, items);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (!counted) continue;
      latency.add(res.ms);
      ok += storedIn(res.status, res.text, job.per);
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  const windowS = (performance.now() - tMeasure) / 1000;
  return {
    type: 'done',
    windowS,
    ok,
    perClass: [],
    latency: latency.summary(),
    statuses,
    maxInFlight: job.concurrency,
    lateMs: 0,
  };
}

async function read(job: ReadJob): Promise<HttpLoadResult> {
  const latency = new Recorder();
  const statuses: Record<string, number> = {};
  const r = await openLoop(job, 1, async (_k, warmup) => {
    const res = await request(job.url + job.path, 'GET', job.token);
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    if (warmup || res.status !== 200) return { counted: 0 };
    latency.add(res.ms);
    return { counted: 1 };
  });
  return { type: 'done', ...r, perClass: [], latency: latency.summary(), statuses };
}

const jobs = { publish, ingest, read } as const;
process.on('message', (raw: unknown) => {
  const job = raw as HttpJob;
  (jobs[job.type] as (j: HttpJob) => Promise<HttpLoadResult>)(job)
    .then((r) => process.send?.(r))
    .catch((err: unknown) => process.send?.({ type: 'failed', message: (err as Error).message }));
});
process.on('disconnect', () => process.exit(0));
