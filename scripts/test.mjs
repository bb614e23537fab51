#!/usr/bin/env node
// Runs the type check, then every *.test.ts under test/ and chaos/ with Node's own test runner.
// Arguments narrow the run: `npm test -- gateway` runs only files whose path contains "gateway".
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const roots = ['test', 'chaos', 'src'];
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.test.ts')) files.push(p);
  }
};
for (const r of roots) {
  try {
    walk(r);
  } catch {}
}
const selected = files.filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();

if (filters.length === 0) {
  // Format check, type check, then build what `npm start` and the bin run.
  for (const args of [
    ['prettier', '--check', '--log-level', 'warn', 'src', 'test', 'chaos', 'bench', 'scripts'],
    ['tsc', '-p', 'tsconfig.json', '--noEmit'],
    ['tsc', '-p', 'tsconfig.build.json'],
  ]) {
    const r = spawnSync('npx', args, { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
// Prometheus's tools (promtool, amtool, prometheus, alertmanager) for the alerting and metrics tests,
// fetched once into .test-tools/ when missing. Without them those tests skip, or fail under CI=true.
const tools = spawnSync('bash', [join(import.meta.dirname, 'test-tools.sh')], { stdio: 'inherit' });
if (tools.status !== 0)
  console.error('test: continuing without the tools scripts/test-tools.sh could not fetch');
const toolsBin = join(import.meta.dirname, '..', '.test-tools', 'root', 'usr', 'bin');
const run = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-timeout=600000',
    // Node's own default reporter, then the slowest files (scripts/slowest-files.mjs) at the end.
    `--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`,
    '--test-reporter-destination=stdout',
    `--test-reporter=${join(import.meta.dirname, 'slowest-files.mjs')}`,
    '--test-reporter-destination=stdout',
    ...selected,
  ],
  { stdio: 'inherit', env: { ...process.env, PATH: `${toolsBin}${delimiter}${process.env.PATH ?? ''}` } },
);
process.exit(run.status ?? 1);
