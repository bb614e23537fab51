// Memory per idle connection, Catalyst beside the raw `ws` baseline in one run (bench/profiles/idle-memory.md):
//
//   node --import tsx bench/profiles/idle-memory.ts [--subscribers N] [--targets catalyst,raw-ws,socketio]
//        [--server-root DIR] [--compare DIR] [--settle-ms 8000]
//
// For each target, one after the other: start it (bench/targets.ts), sample its RSS once settled,
// open N authenticated, subscribed (ticker filter, 20 tickers), idle connections from the
// subscriber processes (bench/fleet.ts: two processes beyond 2,000, each from its own loopback
// address), and sample the RSS 2 s later (the suite's idle figure) and again after `--settle-ms`.
// KB per connection = (RSS after - RSS before) / N. N defaults to the open-file limit less 150 (at
// most 20,000), as the suite's 20k case. `--compare DIR` adds Catalyst served from another checkout
// as "catalyst-after".
import { parseArgs } from 'node:util';
import { Fleet } from '../fleet.js';
import { endAll, raiseFileLimit } from '../procs.js';
import { statusKb } from '../server.js';
import { startTarget, type TargetName } from '../targets.js';

const { values: args } = parseArgs({
  options: {
    subscribers: { type: 'string' },
    targets: { type: 'string', default: 'catalyst,raw-ws' },
    'server-root': { type: 'string' },
    compare: { type: 'string' },
    'settle-ms': { type: 'string', default: '8000' },
  },
});
const fdLimit = raiseFileLimit();
const n = Number(args.subscribers ?? Math.min(20_000, (Number.isFinite(fdLimit) ? fdLimit : 9000) - 150));
const settleMs = Number(args['settle-ms']);
const targets = args.targets.split(',') as TargetName[];
if (args.compare) targets.splice(1, 0, 'catalyst-after');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (kb: number) => Math.round(kb / 102.4) / 10;
const kbPerConn = (before: number, after: number) => Math.round(((after - before) / n) * 100) / 100;

interface Line {
  target: string;
  connected: number;
  connect_s: number;
  rss_before_mb: number;
  rss_2s_mb: number;
  rss_settled_mb: number;
  kb_per_conn_2s: number;
  kb_per_conn_settled: number;
}
const lines: Line[] = [];
process.stdout.write(
  `idle memory: ${n} subscribers, open-file limit ${fdLimit}, targets ${targets.join(', ')}\n`,
);
try {
  for (const name of targets) {
    const root = name === 'catalyst-after' ? args.compare : args['server-root'];
    const t = await startTarget(name, root ? { serverRoot: root } : {});
    try {
      await sleep(settleMs);
      const before = statusKb(t.pid, 'VmRSS');
      const fleet = await Fleet.open(t, n, { kind: 'ticker', classes: 20 }, n > 2000 ? 2 : 1);
      try {
        await sleep(2000);
        const at2s = statusKb(t.pid, 'VmRSS');
        await sleep(Math.max(0, settleMs - 2000));
        const settled = statusKb(t.pid, 'VmRSS');
        const line: Line = {
          target: name,
          connected: fleet.size,
          connect_s: Math.round(fleet.connectMs / 100) / 10,
          rss_before_mb: mb(before),
          rss_2s_mb: mb(at2s),
          rss_settled_mb: mb(settled),
          kb_per_conn_2s: kbPerConn(before, at2s),
          kb_per_conn_settled: kbPerConn(before, settled),
        };
        lines.push(line);
        process.stdout.write(`IDLE ${JSON.stringify(line)}\n`);
      } finally {
        await fleet.close();
      }
    } finally {
      await t.stop();
    }
  }
} finally {
  await endAll();
}
const raw = lines.find((l) => l.target === 'raw-ws');
process.stdout.write(
  '\n| target | RSS before MB | RSS idle MB (2 s / settled) | KB/conn (2 s / settled) | over raw-ws KB/conn |\n|---|---:|---:|---:|---:|\n',
);
for (const l of lines) {
  const over = raw
    ? `${(l.kb_per_conn_2s - raw.kb_per_conn_2s).toFixed(2)} / ${(l.kb_per_conn_settled - raw.kb_per_conn_settled).toFixed(2)}`
    : '–';
  process.stdout.write(
    `| ${l.target} | ${l.rss_before_mb} | ${l.rss_2s_mb} / ${l.rss_settled_mb} | ${l.kb_per_conn_2s} / ${l.kb_per_conn_settled} | ${over} |\n`,
  );
}
