// The alert column: one real Prometheus for the whole chaos run (test/alerts/prometheus.ts) running
// the rules of alerts/ with durations shrunk to fit a fault of a few seconds (same expressions and
// thresholds), scraping the current scenario's two nodes (a file_sd targets file rewritten for each
// stack), and polled during the fault for the alerts the scenario says must fire. Without the binary
// the column says why (a failure under CI=true); Prometheus is stopped and its dir removed at the end.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { type Shrink, startPrometheus, stopProcess } from '../../../test/alerts/prometheus.js';
import { loadRules } from '../../../test/alerts/support.js';
import { binaryMissing, findBinary } from '../../../test/support/servers.js';
import { waitFor } from '../../../test/support/wait.js';

/** 10m → 1 s, 15m → 2 s; ranges at least 4 scrapes. A fault held 6 s can then fire any cause alert. */
const SHRINK: Shrink = { factor: 600, minForS: 1, minRangeS: 4 };
const POLL_MS = 250;

/** The label that tells alerts of one name apart (which breaker, limiter, feed or SLO), if any. */
const about = (labels: Record<string, string>) => {
  const v = labels.dependency ?? labels.limiter ?? labels.feed ?? labels.slo;
  return v === undefined ? '' : `(${v})`;
};

/** What a scenario says of alerts: the ones that must fire during its fault, or none and why. */
export type AlertExpectation = { fires: string[] } | { none: string };

interface PromAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing' | 'inactive';
  activeAt: string;
}

export interface AlertResult {
  /** The table's cell. */
  cell: string;
  failures: string[];
  notes: string[];
}

export interface Fired {
  /** Alerts that went firing during the fault, as `Name(label)`: seconds after it started, first seen. */
  fired: Map<string, number>;
  /** Alerts already pending or firing when the fault started (about the nodes, not the fault). */
  standing: Set<string>;
}

export interface AlertWatch {
  /** Whether every alert `expected` names has fired so far (true when none is expected or no Prometheus). */
  fulfilled(expected: AlertExpectation): boolean;
  stop(): Promise<Fired>;
}

export class ChaosPrometheus {
  private constructor(
    /** Why rules are not evaluated (no binary, outside CI), else undefined. */
    readonly unavailable: string | undefined,
    private readonly url = '',
    private readonly dir = '',
    private readonly child?: ChildProcess,
    private readonly logs: string[] = [],
  ) {}

  /** Starts Prometheus; without the binary, a stand-in that says why (throws under CI=true). */
  static async start(): Promise<ChaosPrometheus> {
    const bin = findBinary('prometheus');
    if (!bin) {
      if (process.env.CI === 'true') throw new Error(`CI=true and ${binaryMissing('prometheus')}`);
      return new ChaosPrometheus(`not evaluated: ${binaryMissing('prometheus')}`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'catalyst-chaos-prometheus-'));
    const logs: string[] = [];
    try {
      writeFileSync(join(dir, 'targets.json'), '[]');
      const { url, child } = await startPrometheus({
        bin,
        dir,
        shrink: SHRINK,
        logs,
        scrapeConfigs: [
          {
            job_name: 'catalyst',
            // Rewritten for every scenario's stack; Prometheus watches the file.
            file_sd_configs: [{ files: [join(dir, 'targets.json')], refresh_interval: '1s' }],
          },
        ],
      });
      return new ChaosPrometheus(undefined, url, dir, child, logs);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Scrapes these nodes (host:port by node name) from now on, and waits until each was scraped up. */
  async scrape(nodes: Record<string, string>): Promise<void> {
    if (this.unavailable) return;
    writeFileSync(
      join(this.dir, 'targets.json'),
      JSON.stringify(Object.entries(nodes).map(([node, host]) => ({ targets: [host], labels: { node } }))),
    );
    const hosts = Object.values(nodes);
    await waitFor(
      async () => {
        const body = (await this.get('/api/v1/targets?state=active')) as {
          data: { activeTargets: Array<{ labels: { instance: string }; health: string }> };
        };
        const up = body.data.activeTargets.filter((t) => t.health === 'up').map((t) => t.labels.instance);
        return hosts.every((h) => up.includes(h));
      },
      `Prometheus to scrape ${hosts.join(' and ')}`,
      20_000,
      200,
    );
    // One evaluation of every rule on those scrapes, so what stands before the fault is known at its start.
    const upAt = Date.now();
    await waitFor(
      async () => {
        const body = (await this.get('/api/v1/rules')) as {
          data: { groups: Array<{ lastEvaluation: string }> };
        };
        return body.data.groups.every((g) => Date.parse(g.lastEvaluation) > upAt);
      },
      'Prometheus to evaluate the rules on the new targets',
      20_000,
      200,
    );
  }

  /**
   * Polls the alerts while the fault lasts. An alert counts when it is firing, became active after
   * `since` (not left over from another scenario) and, when it names an instance, is about one of
   * `hosts`.
   */
  watch(since: number, hosts: string[]): AlertWatch {
    const fired: Fired['fired'] = new Map();
    const standing = new Set<string>();
    if (this.unavailable) return { fulfilled: () => true, stop: async () => ({ fired, standing }) };
    let on = true;
    let first = true;
    const loop = (async () => {
      while (on) {
        const body = (await this.get('/api/v1/alerts').catch(() => undefined)) as
          { data: { alerts: PromAlert[] } } | undefined;
        for (const a of body?.data.alerts ?? []) {
          const name = a.labels.alertname as string;
          if (a.labels.instance !== undefined && !hosts.includes(a.labels.instance)) continue;
          if (first && body) standing.add(`${name}${about(a.labels)}`);
          const key = `${name}${about(a.labels)}`;
          if (a.state !== 'firing' || Date.parse(a.activeAt) < since - 1_000 || fired.has(key)) continue;
          fired.set(key, (Date.now() - since) / 1000);
        }
        if (body) first = false;
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    })();
    return {
      fulfilled: (expected) =>
        !('fires' in expected) || expected.fires.every((e) => matchingAlerts(fired, e).length > 0),
      stop: async () => {
        on = false;
        await loop;
        return { fired, standing };
      },
    };
  }

  /** The cell, failures and notes for what a scenario expected and what fired. */
  judge(expected: AlertExpectation, { fired, standing }: Fired): AlertResult {
    if (this.unavailable) return { cell: this.unavailable, failures: [], notes: [] };
    const at = (key: string) => `${key} ${(fired.get(key) as number).toFixed(1)} s`;
    const matching = (e: string) => matchingAlerts(fired, e);
    const wanted = 'fires' in expected ? expected.fires : [];
    const others = [...fired.keys()].filter(
      (k) => !standing.has(k) && !wanted.some((e) => matching(e).includes(k)),
    );
    const notes =
      others.length > 0 ? [`other alerts firing during the fault: ${others.map(at).join(', ')}`] : [];
    if ('none' in expected)
      return {
        cell: 'none expected',
        failures: [],
        notes: [`no alert expected: ${expected.none}`, ...notes],
      };
    // The first of each expected alert to fire.
    const first = (e: string) =>
      matching(e).sort((x, y) => (fired.get(x) as number) - (fired.get(y) as number))[0];
    return {
      cell: wanted.map((e) => (first(e) ? at(first(e) as string) : `${e} NOT FIRED`)).join(', '),
      failures: wanted.filter((e) => !first(e)).map((e) => `alert ${e} did not fire during the fault`),
      notes,
    };
  }

  async stop(): Promise<void> {
    if (this.child) await stopProcess(this.child);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** Prometheus's own output, for a run that could not use it. */
  output(): string {
    return this.logs.join('');
  }

  private async get(path: string): Promise<unknown> {
    const res = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(2_000) });
    if (!res.ok) throw new Error(`Prometheus ${path}: HTTP ${res.status}`);
    return res.json();
  }
}

/** Names every scenario's expectation uses that no rule in alerts/ defines (a typo must not pass). */
export function unknownAlerts(expectations: AlertExpectation[]): string[] {
  const defined = new Set(loadRules().alerts.map((a) => a.alert));
  return [...new Set(expectations.flatMap((e) => ('fires' in e ? e.fires : [])))].filter(
    (n) => !defined.has(n.replace(/\(.*\)$/, '')),
  );
}

/** The fired alerts an expectation names: an alert by name (any of its labels) or `Name(label)`. */
function matchingAlerts(fired: Fired['fired'], e: string): string[] {
  return [...fired.keys()].filter((k) => k === e || k.startsWith(`${e}(`));
}
