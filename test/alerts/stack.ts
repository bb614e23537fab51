// A real Prometheus and a real Alertmanager (Debian's binaries) on free loopback ports, loaded with
// a test copy of Catalyst's rules and Alertmanager config: the same expressions, routes, grouping
// and inhibition, with durations shortened so that a fault pages within seconds, and every
// receiver pointed at the loopback receivers. Both processes end with the test.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { parse, stringify } from 'yaml';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/wait.js';
import type { Receivers } from './receivers.js';
import { ALERTS, durationSeconds, ruleFiles, tool } from './support.js';

/** How much shorter every `for:` and range is in the test copy, and the floors that keep them meaningful at a 1 s scrape. */
const SHRINK = 30;
const MIN_FOR_S = 2;
const MIN_RANGE_S = 10;

// Debian's build reads its notification templates from this fixed path.
const AM_TEMPLATES = ['default.tmpl', 'email.tmpl'].map((f) => `/usr/share/prometheus/alertmanager/${f}`);

const alive = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of alive) c.kill('SIGKILL');
});

export function shortenRules(yamlText: string): string {
  const short = (d: string, min: number) => `${Math.max(min, Math.round(durationSeconds(d) / SHRINK))}s`;
  return yamlText
    .replace(/^(\s+for: )(\S+)$/gm, (_, k: string, d: string) => k + short(d, MIN_FOR_S))
    .replace(/\[(\d+[smhdw])\]/g, (_, d: string) => `[${short(d, MIN_RANGE_S)}]`);
}

interface Route {
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: Route[];
}

/** alerts/alertmanager.yml with loopback receivers, secrets from temp files, and short timers. */
export function testAlertmanagerConfig(receivers: Receivers, dir: string, routingKey: string): string {
  const am = parse(readFileSync(join(ALERTS, 'alertmanager.yml'), 'utf8')) as {
    global: Record<string, unknown>;
    route: Route;
    receivers: Array<{
      name: string;
      pagerduty_configs?: Array<Record<string, unknown>>;
      webhook_configs?: Array<{
        url: string;
        http_config?: { authorization?: { credentials_file?: string } };
      }>;
    }>;
  };
  am.global.pagerduty_url = `${receivers.url}/v2/enqueue`;
  const shorten = (r: Route) => {
    if (r.group_wait !== undefined || r === am.route) r.group_wait = '1s';
    if (r.group_interval !== undefined || r === am.route) r.group_interval = '2s';
    if (r.repeat_interval !== undefined || r === am.route) r.repeat_interval = '1h';
    r.routes?.forEach(shorten);
  };
  shorten(am.route);
  const secret = (name: string, value: string) => {
    const file = join(dir, name);
    writeFileSync(file, value, { mode: 0o600 });
    return file;
  };
  for (const r of am.receivers) {
    for (const pd of r.pagerduty_configs ?? [])
      pd.routing_key_file = secret('pagerduty_routing_key', routingKey);
    for (const wh of r.webhook_configs ?? []) {
      const path = r.name === 'tickets' ? '/tickets' : '/deadmans';
      wh.url = `${receivers.url}${path}`;
      if (wh.http_config?.authorization?.credentials_file)
        wh.http_config.authorization.credentials_file = secret(`${r.name}_token`, `token-of-${r.name}`);
    }
  }
  return stringify(am);
}

export interface AlertingStack {
  prometheusUrl: string;
  alertmanagerUrl: string;
  /** What both processes printed, for a failing test. */
  logs(): string;
}

function startProcess(bin: string, args: string[], logs: string[], name: string): ChildProcess {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  alive.add(child);
  child.once('exit', () => alive.delete(child));
  for (const s of [child.stdout, child.stderr])
    s?.setEncoding('utf8').on('data', (c: string) => logs.push(`[${name}] ${c}`));
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function ready(url: string, what: string, logs: string[]): Promise<void> {
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

interface Started {
  dir: string;
  logs: string[];
  children: ChildProcess[];
}

/** A temp dir, a log and a process list, all ended with `t`. */
function workspace(t: TestContext): Started {
  const w: Started = { dir: mkdtempSync(join(tmpdir(), 'catalyst-alerting-')), logs: [], children: [] };
  t.after(async () => {
    await Promise.all(w.children.map(stopProcess));
    rmSync(w.dir, { recursive: true, force: true });
  });
  return w;
}

/** A real Alertmanager with the test copy of alerts/alertmanager.yml; undefined (skipped) without the binary. */
export async function startAlertmanager(
  t: TestContext,
  receivers: Receivers,
  routingKey: string,
): Promise<{ url: string; logs: () => string } | undefined> {
  const alertmanager = tool(t, 'prometheus-alertmanager');
  if (!alertmanager) return undefined;
  const missing = AM_TEMPLATES.filter((f) => !existsSync(f));
  if (missing.length > 0) {
    const line = `Debian's Alertmanager needs ${missing.join(' and ')}: as root, run bash scripts/test-tools.sh`;
    if (process.env.CI === 'true') throw new Error(`CI=true and ${line}`);
    t.skip(`skipped: ${line}`);
    return undefined;
  }
  const w = workspace(t);
  writeFileSync(join(w.dir, 'alertmanager.yml'), testAlertmanagerConfig(receivers, w.dir, routingKey));
  const port = await freePort();
  w.children.push(
    startProcess(
      alertmanager,
      [
        `--config.file=${join(w.dir, 'alertmanager.yml')}`,
        `--storage.path=${join(w.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // No gossip: a lone instance, and no port opened on other interfaces.
        '--cluster.listen-address=',
      ],
      w.logs,
      'alertmanager',
    ),
  );
  const url = `http://127.0.0.1:${port}`;
  await ready(`${url}/-/ready`, 'Alertmanager', w.logs);
  return { url, logs: () => w.logs.join('') };
}

/**
 * Starts Alertmanager, then Prometheus scraping `target` (host:port of a node's /metrics) as job
 * catalyst, node catalyst-1; or returns undefined (skipped) when the binaries are missing.
 */
export async function startAlertingStack(
  t: TestContext,
  target: string,
  receivers: Receivers,
  routingKey: string,
): Promise<AlertingStack | undefined> {
  const prometheus = tool(t, 'prometheus');
  if (!prometheus) return undefined;
  const am = await startAlertmanager(t, receivers, routingKey);
  if (!am) return undefined;
  const w = workspace(t);
  const rules = ruleFiles().map((f) => {
    const file = join(w.dir, f);
    writeFileSync(file, shortenRules(readFileSync(join(ALERTS, f), 'utf8')));
    return file;
  });
  const port = await freePort();
  writeFileSync(
    join(w.dir, 'prometheus.yml'),
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: rules,
      alerting: { alertmanagers: [{ static_configs: [{ targets: [new URL(am.url).host] }] }] },
      scrape_configs: [
        { job_name: 'catalyst', static_configs: [{ targets: [target], labels: { node: 'catalyst-1' } }] },
      ],
    }),
  );
  w.children.push(
    startProcess(
      prometheus,
      [
        `--config.file=${join(w.dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(w.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // Firing alerts are re-sent every second instead of every minute.
        '--rules.alert.resend-delay=1s',
      ],
      w.logs,
      'prometheus',
    ),
  );
  const prometheusUrl = `http://127.0.0.1:${port}`;
  await ready(`${prometheusUrl}/-/ready`, 'Prometheus', w.logs);
  return { prometheusUrl, alertmanagerUrl: am.url, logs: () => am.logs() + w.logs.join('') };
}
