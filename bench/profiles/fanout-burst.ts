// Saturated fan-out, measured on the server alone: `node --import tsx bench/profiles/fanout-burst.ts
// [--subscribers 2000] [--tickers 20] [--signals 6000] [--batch 100] [--concurrency 2]
// [--server-root DIR] [--cpu-prof]`. Starts a server (data on /dev/shm: the store is not what is
// measured), N subscribers in another process (bench/subscribers.ts, subscriber i on ticker i mod
// tickers), then publishes `--signals` signals as fast as the server takes them, in batches (so the
// per-request HTTP cost is small beside the fan-out), and waits until every delivery arrived.
// Prints one JSON line: deliveries, seconds from first publish to last delivery, deliveries/s, the
// server's CPU (utime+stime from /proc) per delivery in µs, and the subscriber-side check.
// With --tickers 1 every signal matches every subscriber (the broadcast case).
import { fork } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, startServer } from '../server.js';
import type { SubscriberReport } from '../subscribers.js';
import { benchSignal } from '../workload.js';

const { values: args } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '2000' },
    tickers: { type: 'string', default: '20' },
    signals: { type: 'string', default: '6000' },
    batch: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '2' },
    'server-root': { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
const n = Number(args.subscribers);
const tickers = Array.from({ length: Number(args.tickers) }, (_, i) => `T${i}`);
const total = Number(args.signals);
const batch = Number(args.batch);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TICK_MS = 10; // CLK_TCK 100 on Linux
const cpuMs = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(f[11]) + Number(f[12])) * TICK_MS;
};

const profDir = join(ROOT, '.bench', 'prof');
if (args['cpu-prof']) mkdirSync(profDir, { recursive: true });
const server = await startServer({
  serverRoot: args['server-root'],
  dataParent: '/dev/shm',
  nodeArgs: args['cpu-prof']
    ? ['--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-name', `server-burst-${Date.now()}.cpuprofile`]
    : [],
});
const subs = fork(join(ROOT, 'bench', 'subscribers.ts'), [], {
  cwd: ROOT,
  execArgv: ['--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const ask = <T>(msg: object, reply: string) =>
  new Promise<T>((resolve, reject) => {
    const on = (m: { type: string; message?: string }) => {
      if (m.type === 'failed') reject(new Error(m.message));
      if (m.type !== reply) return;
      subs.off('message', on);
      resolve(m as T);
    };
    subs.on('message', on);
    subs.send(msg);
  });

function post(body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL('/signals/batch', server.url), {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.publishToken}` },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(args.concurrency) });

try {
  await ask(
    {
      type: 'start',
      url: `${server.url.replace(/^http/, 'ws')}/ws`,
      token: server.subscribeToken,
      subscribers: n,
      tickers,
      connectConcurrency: 64,
    },
    'ready',
  );
  await sleep(1000);
  const runId = Date.now().toString(36);
  const bodies: string[] = [];
  for (let k = 0; k < total; k += batch) {
    const signals = Array.from({ length: Math.min(batch, total - k) }, (_, j) => {
      const i = k + j;
      return benchSignal(`burst-${runId}`, i, tickers[i % tickers.length] as string, { sent_at: 0 });
    });
    bodies.push(JSON.stringify({ signals }));
  }
  // Deliveries expected: subscriber s takes ticker s mod T, so ticker t has ceil((n - t) / T) of them.
  let expected = 0;
  for (let i = 0; i < total; i++) expected += Math.ceil((n - (i % tickers.length)) / tickers.length);
  const base = await ask<{ received: number }>({ type: 'progress' }, 'progress');
  const cpu0 = cpuMs(server.pid);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Number(args.concurrency) }, async () => {
      while (next < bodies.length) await post(bodies[next++] as string);
    }),
  );
  const publishedS = (performance.now() - t0) / 1000;
  let received = 0;
  for (let stalls = 0; stalls < 100;) {
    const p = await ask<{ received: number }>({ type: 'progress' }, 'progress');
    const got = p.received - base.received;
    if (got >= expected) {
      received = got;
      break;
    }
    stalls = got === received ? stalls + 1 : 0;
    received = got;
    await sleep(50);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuMs(server.pid) - cpu0;
  const report = await ask<SubscriberReport>({ type: 'report' }, 'report');
  process.stdout.write(
    `${JSON.stringify({
      server_root: args['server-root'] ?? ROOT,
      subscribers: n,
      tickers: tickers.length,
      signals: total,
      batch,
      expected,
      received,
      duplicates: report.duplicates,
      out_of_order: report.outOfOrder,
      closes: report.closeCodes,
      publish_s: Math.round(publishedS * 100) / 100,
      deliver_s: Math.round(seconds * 100) / 100,
      deliveries_per_s: Math.round(received / seconds),
      server_cpu_ms: cpu,
      server_cpu_us_per_delivery: Math.round(((cpu * 1000) / received) * 100) / 100,
    })}\n`,
  );
} finally {
  subs.send({ type: 'exit' });
  agent.destroy();
  await server.stop();
}
