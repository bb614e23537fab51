// What the operations tests (test/alerts) share: the rule files as data, and Prometheus's own
// tools (promtool, amtool, prometheus, alertmanager) found on PATH or where scripts/test-tools.sh
// unpacks them.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { binary } from '../support/servers.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ALERTS = join(ROOT, 'alerts');

/** A Debian tool (prometheus, promtool, alertmanager as prometheus-alertmanager, amtool), or a skip (outside CI) / failure (CI). */
export const tool = binary;

export interface LoadedAlert {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  file: string;
}

export interface LoadedRecord {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export const ruleFiles = () => readdirSync(ALERTS).filter((f) => f.endsWith('.rules.yml'));

export function loadRules(): { alerts: LoadedAlert[]; records: LoadedRecord[] } {
  const alerts: LoadedAlert[] = [];
  const records: LoadedRecord[] = [];
  for (const file of ruleFiles()) {
    const doc = parse(readFileSync(join(ALERTS, file), 'utf8')) as {
      groups: Array<{ rules: Array<Record<string, unknown>> }>;
    };
    for (const g of doc.groups)
      for (const r of g.rules) {
        if (typeof r.alert === 'string') alerts.push({ ...(r as unknown as LoadedAlert), file });
        else records.push(r as unknown as LoadedRecord);
      }
  }
  return { alerts, records };
}

/** A Prometheus duration (`1h0m15s`, `2m`, `3d`) in seconds. */
export function durationSeconds(d: string | undefined): number {
  if (!d) return 0;
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  let total = 0;
  for (const m of d.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(m[1]) * units[m[2]!]!;
  return total;
}

/** Fenced blocks of a language, and inline code spans. */
export function codeBlocks(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) =>
    m[1]!.trim(),
  );
}

export interface LoadedPanel {
  id: number;
  type: string;
  title?: string;
  description?: string;
  datasource?: { uid?: string };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: Array<{ refId: string; expr: string; datasource?: { uid?: string } }>;
}

export interface LoadedDashboard {
  file: string;
  json: {
    uid: string;
    title: string;
    description: string;
    templating: { list: Array<{ name: string; type: string; query?: unknown }> };
    panels: LoadedPanel[];
  };
}

export function loadDashboards(): LoadedDashboard[] {
  const dir = join(ROOT, 'dashboards');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({
      file,
      json: JSON.parse(readFileSync(join(dir, file), 'utf8')) as LoadedDashboard['json'],
    }));
}
