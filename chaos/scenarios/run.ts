// `npm run chaos` (every scenario) or `npm run chaos -- NAME...` (those): runs the scenarios one after
// the other and prints the table; exits 1 if any scenario broke a promise or could not run.
import { ChaosPrometheus, unknownAlerts } from './support/alerts.js';
import { requirePostgresAndRedis } from './support/servers.js';
import { NOT_DONE, SCENARIOS } from './index.js';
import { printTable } from './support/table.js';
import { runScenario, type Row } from './support/scenario.js';

const names = process.argv.slice(2);
const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n) && !(n in NOT_DONE));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown scenario ${unknown.join(', ')}; choose from: ${SCENARIOS.map((s) => s.name).join(', ')}\n`,
  );
  process.exit(2);
}
const typos = unknownAlerts(SCENARIOS.map((s) => s.alert));
if (typos.length > 0) {
  process.stderr.write(`chaos: scenarios expect alerts no rule of alerts/ defines: ${typos.join(', ')}\n`);
  process.exit(2);
}
if (!(await requirePostgresAndRedis())) process.exit(process.env.CI === 'true' ? 1 : 0);
const prometheus = await ChaosPrometheus.start().catch((err: Error) => {
  process.stderr.write(`chaos: ${err.message.split('\n')[0]}\n`);
  process.exit(1);
});

const chosen = names.length === 0 ? SCENARIOS : SCENARIOS.filter((s) => names.includes(s.name));
const rows: Row[] = [];
// Prometheus ends with the run, also when it is interrupted or a scenario throws.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void prometheus.stop().finally(() => process.exit(130)));
try {
  for (const def of chosen) {
    const t0 = Date.now();
    process.stderr.write(`chaos: ${def.name} (${def.fault})...\n`);
    const row = await runScenario(def, prometheus).catch((err: Error): Row => ({
      scenario: def.name,
      fault: def.fault,
      acknowledged: 0,
      delivered: 0,
      lost: 0,
      duplicated: 0,
      outOfOrder: 0,
      maxPublishMs: Number.NaN,
      recoveryMs: Number.NaN,
      alert: '-',
      failures: [`could not run: ${err.message.split('\n')[0]}`],
      notes: [],
    }));
    process.stderr.write(
      `chaos: ${def.name} ${row.failures.length === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    rows.push(row);
  }
} finally {
  await prometheus.stop();
}
printTable(rows, names.length === 0 ? NOT_DONE : {});
process.exit(rows.every((r) => r.failures.length === 0) ? 0 : 1);
