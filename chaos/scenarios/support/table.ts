// The table `npm run chaos` prints: one row per scenario, then every failure and note in full.
import type { Row } from './scenario.js';

const HEAD = [
  'scenario',
  'fault',
  'acknowledged',
  'delivered',
  'lost',
  'duplicated',
  'out of order',
  'max publish ms (fault)',
  'recovery ms',
  'alert',
  'result',
];

const ms = (v: number) => (Number.isNaN(v) ? '-' : String(Math.round(v)));

export function printTable(rows: Row[], notDone: Record<string, string>): void {
  const cells = rows.map((r) => [
    r.scenario,
    r.fault,
    String(r.acknowledged),
    String(r.delivered),
    String(r.lost),
    String(r.duplicated),
    String(r.outOfOrder),
    ms(r.maxPublishMs),
    ms(r.recoveryMs),
    r.alert,
    r.failures.length === 0 ? 'ok' : 'FAILED',
  ]);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i] as number)).join(' | ')} |`;
  const out = [line(HEAD), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)];
  for (const [name, why] of Object.entries(notDone)) out.push(`not run: ${name}: ${why}`);
  for (const r of rows) {
    for (const f of r.failures) out.push(`FAILED ${r.scenario}: ${f}`);
    for (const n of r.notes) out.push(`note ${r.scenario}: ${n}`);
  }
  out.push(
    'alert: the alerts of alerts/ that must fire for the fault, with the seconds from the fault to firing (a real Prometheus evaluates the rules, durations shrunk, on both nodes\' scraped metrics); "none expected" says why in a note.',
  );
  process.stdout.write(`${out.join('\n')}\n`);
}
