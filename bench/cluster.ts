// Two-node benchmark on PostgreSQL + Redis (issue 4): node A takes the publishes, node B holds the
// subscribers, so every delivery crosses nodes (A commits to PostgreSQL, notifies Redis Streams, B
// reads the stream and fans out). Measures publish-to-deliver p50/p99 across nodes at each --rates
// value, then ingest throughput with batches (POST /signals/batch to both nodes at once).
//
//   node --import tsx bench/cluster.ts [--rates 100,1000] [--batched-rates 1000] [--publish-batch 10] [--duration 10] [--warmup 2]
//        [--subscribers 100] [--tickers 10] [--batch-size 1000] [--concurrency 4] [--ingest-duration 10]
//
// Uses the shared PostgreSQL (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432) with a
// throwaway database, and the shared Redis (TEST_REDIS_URL) under a throwaway key prefix; removes
// both afterwards. Results: a table against the issue-4 targets, and .bench/results-cluster.json.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createToken } from '../src/auth/tokens.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { createTestDatabase } from '../test/store/postgres-database.js';
import { REDIS_URL } from '../test/support/servers.js';
import { ProcSampler, ROOT } from './server.js';
import { nowMs, Recorder, type Summary } from './stats.js';
import type { StartMessage, SubscriberReport } from './subscribers.js';
import { benchSignal } from './workload.js';

const { values: opt } = parseArgs({
  options: {
    rates: { type: 'string', default: '100,1000' },
    'batched-rates': { type: 'string', default: '1000' },
    'publish-batch': { type: 'string', default: '10' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    subscribers: { type: 'string', default: '100' },
    tickers: { type: 'string', default: '10' },
    'batch-size': { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
    'ingest-duration': { type: 'string', default: '10' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});
if (opt.help) {
  process.stdout.write(
    'Usage: node --import tsx bench/cluster.ts [--rates 100,1000] [--duration 10] [--warmup 2] [--subscribers 100]\n' +
      '       [--tickers 10] [--batch-size 1000] [--concurrency 4] [--ingest-duration 10]\n',
  );
  process.exit(0);
}
const positive = (name: keyof typeof opt): number => {
  const n = Number(opt[name]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
};
const RATES = String(opt.rates).split(',').filter(Boolean).map(Number);
/** Rates also run with POST /signals/batch of --publish-batch signals per request. */
const BATCHED_RATES = String(opt['batched-rates']).split(',').filter(Boolean).map(Number);
const PUBLISH_BATCH = Math.floor(positive('publish-batch'));
const DURATION_S = positive('duration');
const WARMUP_S = Number(opt.warmup);
const SUBSCRIBERS = Math.floor(positive('subscribers'));
const TICKERS = Array.from({ length: Math.floor(positive('tickers')) }, (_, i) => `TK${i}`);
const BATCH = Math.floor(positive('batch-size'));
const CONCURRENCY = Math.floor(positive('concurrency'));
const INGEST_S = positive('ingest-duration');

const TARGET_P99_AT_100_MS = 100;
const TARGET_INGEST_PER_S = 2000;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r2 = (n: number) => Math.round(n * 100) / 100;

interface Node {
  name: string;
  url: string;
  child: ChildProcess;
  dataDir: string;
}

/** A node process on the shared store and bus; resolves when it logs "catalyst listening". */
async function startNode(name: string, env: Record<string, string>): Promise<Node> {
  const dataDir = mkdtempSync(join(tmpdir(), `catalyst-bench-${name}-`));
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...env,
      CATALYST_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${name} did not start within 60 s`)), 60_000);
    child.once('exit', (code) => reject(new Error(`node ${name} exited with ${code}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (!line.includes('"catalyst listening"')) {
        if (line.includes('"level":50') || line.includes('"level":60'))
          process.stderr.write(`[${name}] ${line}\n`);
        return;
      }
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
  });
  return { name, url, child, dataDir };
}

async function stopNode(n: Node): Promise<void> {
  if (n.child.exitCode === null) {
    const exited = new Promise((r) => n.child.once('exit', r));
    n.child.kill('SIGTERM');
    const force = setTimeout(() => n.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(force);
  }
  rmSync(n.dataDir, { recursive: true, force: true });
}

function postJson(
  agent: http.Agent,
  url: string,
  token: string,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const req = http.request(url, {
      agent,
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', (err) => resolve({ status: 0, text: err.message }));
    req.end(body);
  });
}

const signal = (run: string, k: number, metadata: Record<string, unknown>) =>
  benchSignal(`cluster-${run}`, k, TICKERS[k % TICKERS.length] as string, metadata);

/** Sends to the forked subscriber process and waits for the reply of type `reply`. */
function ask<T>(child: ChildProcess, msg: object, reply: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`subscribers sent no "${reply}" in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const listener = (m: unknown) => {
      const type = (m as { type: string }).type;
      if (type !== reply && type !== 'failed') return;
      clearTimeout(timer);
      child.off('message', listener);
      if (type === 'failed') reject(new Error((m as { message: string }).message));
      else resolve(m as T);
    };
    child.on('message', listener);
    child.send(msg);
  });
}

interface LatencyResult {
  rate: number;
  /** Signals per POST: 1 is POST /signals, more is POST /signals/batch. */
  per: number;
  published: number;
  refused: number;
  /** Status of every refused publish (0: no answer). */
  refusedBy: Record<string, number>;
  latency: Summary;
  post: Summary;
  delivered: number;
  expected: number;
  duplicates: number;
  outOfOrder: number;
  cpuA: number;
  cpuB: number;
}

async function latencyRun(
  rate: number,
  per: number,
  a: Node,
  b: Node,
  token: string,
): Promise<LatencyResult> {
  const subs = fork(join(ROOT, 'bench', 'subscribers.ts'), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const start: StartMessage = {
      type: 'start',
      url: `${b.url.replace(/^http/, 'ws')}/ws`,
      token,
      subscribers: SUBSCRIBERS,
      tickers: TICKERS,
      connectConcurrency: 50,
    };
    await ask(subs, start, 'ready', 120_000);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
    const run = `${rate}-${Date.now().toString(36)}`;
    const post = new Recorder();
    const pending = new Set<Promise<void>>();
    let published = 0;
    let refused = 0;
    const refusedBy: Record<string, number> = {};
    const samplers = [new ProcSampler(a.child.pid as number), new ProcSampler(b.child.pid as number)];
    const requests = Math.round(((WARMUP_S + DURATION_S) * rate) / per);
    const warm = Math.round((WARMUP_S * rate) / per);
    const t0 = performance.now() + 20;
    // Open loop: request k is due at t0 + k * per / rate, whatever the earlier answers are doing.
    for (let k = 0; k < requests; k++) {
      if (k === warm) for (const s of samplers) s.start();
      const due = t0 + (k * per * 1000) / rate;
      const ahead = due - performance.now();
      if (ahead > 1) await pause(ahead - 0.5);
      const warmup = k < warm;
      const meta = { sent_at: nowMs(), warmup };
      const items = Array.from({ length: per }, (_, i) => signal(run, k * per + i, meta));
      const body = JSON.stringify(per === 1 ? items[0] : items);
      const began = nowMs();
      const p = postJson(agent, `${a.url}/signals${per === 1 ? '' : '/batch'}`, token, body).then((res) => {
        if (res.status === 201 || res.status === 200) {
          if (!warmup) {
            published += per;
            post.add(nowMs() - began);
          }
        } else {
          refused += 1;
          refusedBy[res.status] = (refusedBy[res.status] ?? 0) + 1;
        }
      });
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }
    await Promise.all(pending);
    const [sa, sb] = samplers.map((s) => s.stop());
    // Deliveries still in flight: wait until the subscribers' count stops moving (bounded).
    const expected = published * (SUBSCRIBERS / TICKERS.length);
    let last = -1;
    for (let i = 0; i < 50; i++) {
      const p = await ask<{ measured: number }>(subs, { type: 'progress' }, 'progress', 10_000);
      if (p.measured >= expected || p.measured === last) break;
      last = p.measured;
      await pause(200);
    }
    const rep = await ask<SubscriberReport>(subs, { type: 'report' }, 'report', 10_000);
    agent.destroy();
    return {
      rate,
      per,
      published,
      refused,
      refusedBy,
      latency: rep.latency,
      post: post.summary(),
      delivered: rep.measured,
      expected,
      duplicates: rep.duplicates,
      outOfOrder: rep.outOfOrder,
      cpuA: sa?.cpuPercent ?? Number.NaN,
      cpuB: sb?.cpuPercent ?? Number.NaN,
    };
  } finally {
    subs.send({ type: 'exit' });
  }
}

interface IngestResult {
  stored: number;
  seconds: number;
  perSecond: number;
  batchMs: Summary;
  refused: number;
}

async function ingestRun(nodes: Node[], token: string): Promise<IngestResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const run = `ingest-${Date.now().toString(36)}`;
  const batchMs = new Recorder();
  let k = 0;
  let stored = 0;
  let refused = 0;
  const began = performance.now();
  const end = began + INGEST_S * 1000;
  // --concurrency writers, alternating between the nodes, each posting batches back to back.
  const worker = async (w: number) => {
    const node = nodes[w % nodes.length] as Node;
    while (performance.now() < end) {
      const batch = Array.from({ length: BATCH }, () => signal(run, k++, {}));
      const t = nowMs();
      const res = await postJson(agent, `${node.url}/signals/batch`, token, JSON.stringify(batch));
      if (res.status !== 201) {
        refused += 1;
        continue;
      }
      batchMs.add(nowMs() - t);
      stored += (JSON.parse(res.text) as { results: Array<{ seq?: number }> }).results.filter(
        (x) => typeof x.seq === 'number',
      ).length;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
  const seconds = (performance.now() - began) / 1000;
  agent.destroy();
  return { stored, seconds, perSecond: stored / seconds, batchMs: batchMs.summary(), refused };
}

function table(rows: string[][]): string {
  const w = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map(
      (r, n) =>
        `| ${r.map((c, i) => (i === 0 ? c.padEnd(w[i] as number) : c.padStart(w[i] as number))).join(' | ')} |${n === 0 ? `\n|${w.map((x) => '-'.repeat(x + 2)).join('|')}|` : ''}`,
    )
    .join('\n');
}

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const prefix = `catalyst-bench-${randomBytes(4).toString('hex')}`;
  const nodes: Node[] = [];
  try {
    const store = new PostgresStore({ url: db.url });
    await store.migrate();
    const { token } = await createToken(store, 'bench', ['publish', 'subscribe']);
    await store.close();
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      CATALYST_REDIS_PREFIX: prefix,
      NODE_NO_WARNINGS: '1',
      // One host plays every subscriber and publisher: the per-IP and per-token limits that protect
      // a real node would measure the limiter, not the path across nodes.
      CATALYST_RATE_PUBLISH_PER_TOKEN: '100000000/1s',
      CATALYST_RATE_WS_CONNECTS_PER_IP: '10000000/1s',
      CATALYST_RATE_WS_CONNECTS_PER_TOKEN: '10000000/1s',
    };
    nodes.push(...(await Promise.all([startNode('A', env), startNode('B', env)])));
    const [a, b] = nodes as [Node, Node];
    process.stdout.write(
      `node A ${a.url} (publishes), node B ${b.url} (${SUBSCRIBERS} subscribers, ${TICKERS.length} tickers); PostgreSQL ${db.name}, Redis prefix ${prefix}\n`,
    );

    const latency: LatencyResult[] = [];
    const runs = [
      ...RATES.map((rate) => [rate, 1] as const),
      ...BATCHED_RATES.map((rate) => [rate, PUBLISH_BATCH] as const),
    ];
    for (const [rate, per] of runs) {
      process.stdout.write(
        `publishing to A at ${rate}/s, ${per} per POST, for ${WARMUP_S} + ${DURATION_S} s...\n`,
      );
      latency.push(await latencyRun(rate, per, a, b, token));
    }
    process.stdout.write(
      `ingest: ${CONCURRENCY} writers, batches of ${BATCH}, to A and B, ${INGEST_S} s...\n`,
    );
    const ingest = await ingestRun(nodes, token);
    const check = new PostgresStore({ url: db.url });
    const inStore = await check.lastSeq();
    await check.close();

    const rows: string[][] = [['figure', 'value', 'target', '']];
    for (const r of latency) {
      const at = r.per === 1 ? `${r.rate}/s` : `${r.rate}/s in batches of ${r.per}`;
      const ok = r.rate !== 100 || r.latency.p99 < TARGET_P99_AT_100_MS;
      rows.push([
        `cross-node publish-to-deliver p50 / p99 / max @ ${at}`,
        `${r2(r.latency.p50)} / ${r2(r.latency.p99)} / ${r2(r.latency.max)} ms`,
        r.rate === 100 && r.per === 1 ? `p99 < ${TARGET_P99_AT_100_MS} ms` : '-',
        r.rate === 100 && r.per === 1 ? (ok ? 'PASS' : 'MISS') : '',
      ]);
      rows.push([
        `  POST on A p50 / p99 (refused) @ ${at}`,
        `${r2(r.post.p50)} / ${r2(r.post.p99)} ms (${r.refused}${r.refused ? ` ${JSON.stringify(r.refusedBy)}` : ''})`,
        '-',
        '',
      ]);
      rows.push([
        `  delivered / expected (dup, out of order) @ ${at}`,
        `${r.delivered} / ${r.expected} (${r.duplicates}, ${r.outOfOrder})`,
        'all, 0, 0',
        r.delivered === r.expected && r.duplicates === 0 && r.outOfOrder === 0 ? 'PASS' : 'MISS',
      ]);
      rows.push([
        `  CPU node A / node B @ ${at}`,
        `${Math.round(r.cpuA)} % / ${Math.round(r.cpuB)} %`,
        '-',
        '',
      ]);
    }
    rows.push([
      `ingest, batches of ${BATCH}, ${CONCURRENCY} writers on A+B`,
      `${Math.round(ingest.perSecond)} signals/s`,
      `>= ${TARGET_INGEST_PER_S}/s`,
      ingest.perSecond >= TARGET_INGEST_PER_S ? 'PASS' : 'MISS',
    ]);
    rows.push([
      '  batch POST p50 / p99 (refused)',
      `${r2(ingest.batchMs.p50)} / ${r2(ingest.batchMs.p99)} ms (${ingest.refused})`,
      '-',
      '',
    ]);
    rows.push(['  rows in PostgreSQL (seq)', `${inStore}`, '-', '']);
    process.stdout.write(`\n${table(rows)}\n`);
    const out = join(ROOT, '.bench');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, 'results-cluster.json'),
      `${JSON.stringify({ machine: { node: process.version, cpus: cpus().length, loadavg: loadavg() }, latency, ingest, inStore }, null, 2)}\n`,
    );
    process.stdout.write(
      `\nwrote .bench/results-cluster.json (load average at the end: ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')})\n`,
    );
  } finally {
    await Promise.all(nodes.map(stopNode));
    await db.drop();
    const r = new Redis(REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
    r.disconnect();
  }
}

await main();
