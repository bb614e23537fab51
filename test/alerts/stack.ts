// A real Prometheus and a real Alertmanager (Debian's binaries) on free loopback ports, loaded with
// a test copy of Catalyst's rules and Alertmanager config: the same expressions, routes, grouping
// and inhibition, with durations shortened so that a fault pages within seconds, and every
// receiver pointed at the loopback receivers. Both processes end with the test.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { parse, stringify } from 'yaml';
import { freePort } from '../support/free-port.js';
import { ready, type Shrink, startProcess, startPrometheus, stopProcess } from './prometheus.js';
import type { Receivers } from './receivers.js';
import { ALERTS, tool } from './support.js';

/** How much shorter every `for:` and range is in the test copy, and the floors that keep them meaningful at a 1 s scrape. */
const SHRINK: Shrink = { factor: 30, minForS: 2, minRangeS: 10 };

// Debian's build reads its notification templates from this fixed path.
const AM_TEMPLATES = ['default.tmpl', 'email.tmpl'].map((f) => `/usr/share/prometheus/alertmanager/${f}`);

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
  const { url: prometheusUrl, child } = await startPrometheus({
    bin: prometheus,
    dir: w.dir,
    shrink: SHRINK,
    alertmanager: new URL(am.url).host,
    scrapeConfigs: [
      { job_name: 'catalyst', static_configs: [{ targets: [target], labels: { node: 'catalyst-1' } }] },
    ],
    logs: w.logs,
  });
  w.children.push(child);
  return { prometheusUrl, alertmanagerUrl: am.url, logs: () => am.logs() + w.logs.join('') };
}
