// A real Prometheus (Debian's binary) on a free loopback port, loaded with a copy of Catalyst's rules
// whose durations are shortened so a fault fires its alert within seconds: the same expressions and
// thresholds, only `for:` and range windows shrunk. Shared by the alerting tests (test/alerts/stack.ts)
// and the chaos run (chaos/scenarios/support/alerts.ts). Every process here runs in its own process
// group and is ended as a group.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/wait.js';
import { ALERTS, durationSeconds, ruleFiles } from './support.js';

/** How much shorter every `for:` and range gets, and the floors that keep them meaningful at a 1 s scrape. */
export interface Shrink {
  factor: number;
  minForS: number;
  minRangeS: number;
}

export function shortenRules(yamlText: string, s: Shrink): string {
  const short = (d: string, min: number) => `${Math.max(min, Math.round(durationSeconds(d) / s.factor))}s`;
  return yamlText
    .replace(/^(\s+for: )(\S+)$/gm, (_, k: string, d: string) => k + short(d, s.minForS))
    .replace(/\[(\d+[smhdw])\]/g, (_, d: string) => `[${short(d, s.minRangeS)}]`);
}

const alive = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of alive) killGroup(c, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Starts `bin` in a process group of its own; what it prints goes to `logs`, prefixed with `name`. */
export function startProcess(bin: string, args: string[], logs: string[], name: string): ChildProcess {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  alive.add(child);
  child.once('exit', () => alive.delete(child));
  for (const s of [child.stdout, child.stderr])
    s?.setEncoding('utf8').on('data', (c: string) => logs.push(`[${name}] ${c}`));
  return child;
}

/** SIGTERM to the process group, SIGKILL after 10 s; resolves once the process exited. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function ready(url: string, what: string, logs: string[]): Promise<void> {
  await waitFor(
    async () => {
      try {
        return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
      } catch {
        return false;
      }
    },
    `${what} to be ready at ${url}`,
    30_000,
    100,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${logs.join('')}`);
  });
}

export interface PrometheusOptions {
  /** The binary (test/support/servers.ts findBinary). */
  bin: string;
  /** A temp dir the caller owns and removes: config, rules and data go there. */
  dir: string;
  shrink: Shrink;
  scrapeConfigs: unknown[];
  /** host:port of an Alertmanager to notify. */
  alertmanager?: string;
  logs: string[];
}

/** Writes the shortened rules and the config into `dir`, starts Prometheus and waits until it is ready. */
export async function startPrometheus(o: PrometheusOptions): Promise<{ url: string; child: ChildProcess }> {
  const rules = ruleFiles().map((f) => {
    const file = join(o.dir, f);
    writeFileSync(file, shortenRules(readFileSync(join(ALERTS, f), 'utf8'), o.shrink));
    return file;
  });
  const port = await freePort();
  writeFileSync(
    join(o.dir, 'prometheus.yml'),
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: rules,
      ...(o.alertmanager
        ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [o.alertmanager] }] }] } }
        : {}),
      scrape_configs: o.scrapeConfigs,
    }),
  );
  const child = startProcess(
    o.bin,
    [
      `--config.file=${join(o.dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(o.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Firing alerts are re-sent every second instead of every minute.
      '--rules.alert.resend-delay=1s',
    ],
    o.logs,
    'prometheus',
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await ready(`${url}/-/ready`, 'Prometheus', o.logs);
  } catch (err) {
    await stopProcess(child);
    throw err;
  }
  return { url, child };
}
