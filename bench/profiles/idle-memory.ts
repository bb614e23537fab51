// Memory per idle connection: `node --import tsx bench/profiles/idle-memory.ts [--subscribers 15000]
// [--server-root DIR]`. Starts a server (bench/server.ts), samples its RSS once settled, opens N
// authenticated, subscribed, idle connections from bench/subscribers.ts in another process, lets
// the server settle again and prints (RSS after - RSS before) / N. Raise `ulimit -n` first for more
// than ~9,000 connections (each end holds one descriptor per connection).
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, startServer } from '../server.js';

const { values: args } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '15000' },
    'server-root': { type: 'string' },
    'settle-ms': { type: 'string', default: '4000' },
  },
});
const n = Number(args.subscribers);
const settleMs = Number(args['settle-ms']);
const rssKb = (pid: number) =>
  Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const server = await startServer({ serverRoot: args['server-root'] });
const subs = fork(join(ROOT, 'bench', 'subscribers.ts'), [], {
  cwd: ROOT,
  execArgv: ['--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
try {
  await sleep(settleMs);
  const before = rssKb(server.pid);
  const ready = await new Promise<{ connected: number; ms: number }>((resolve, reject) => {
    subs.on('message', (m: { type: string; message?: string }) => {
      if (m.type === 'ready') resolve(m as never);
      if (m.type === 'failed') reject(new Error(m.message));
    });
    subs.send({
      type: 'start',
      url: `${server.url.replace(/^http/, 'ws')}/ws`,
      token: server.subscribeToken,
      subscribers: n,
      tickers: Array.from({ length: 20 }, (_, i) => `T${i}`),
      connectConcurrency: 64,
    });
  });
  await sleep(settleMs);
  const after = rssKb(server.pid);
  const perConn = ((after - before) * 1024) / ready.connected;
  const line = {
    server_root: args['server-root'] ?? ROOT,
    connected: ready.connected,
    connect_ms: ready.ms,
    rss_before_mb: Math.round(before / 102.4) / 10,
    rss_after_mb: Math.round(after / 102.4) / 10,
    bytes_per_connection: Math.round(perConn),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
} finally {
  subs.kill('SIGTERM');
  await server.stop();
}
