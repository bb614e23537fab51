// alerts/alertmanager.yml: amtool accepts it, and every alert the rules can raise is routed by its
// severity (critical pages, warning tickets, the watchdog reaches only the dead man's switch).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { ALERTS, loadRules, tool } from './support.js';

const CONFIG = join(ALERTS, 'alertmanager.yml');

const RECEIVER_OF_SEVERITY: Record<string, string> = {
  critical: 'pagerduty-critical',
  warning: 'tickets',
  info: 'blackhole',
};

function routesTo(amtool: string, labels: Record<string, string>): string {
  const r = spawnSync(
    amtool,
    [
      'config',
      'routes',
      'test',
      `--config.file=${CONFIG}`,
      ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

describe('alertmanager.yml', () => {
  test('amtool check-config accepts it', (t) => {
    const amtool = tool(t, 'amtool');
    if (!amtool) return;
    const r = spawnSync(amtool, ['check-config', CONFIG], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  test('every alert rule reaches exactly the receiver of its severity', (t) => {
    const amtool = tool(t, 'amtool');
    if (!amtool) return;
    const problems: string[] = [];
    for (const a of loadRules().alerts) {
      const want =
        a.alert === 'CatalystWatchdog' ? 'deadmans-switch' : RECEIVER_OF_SEVERITY[a.labels.severity!];
      const got = routesTo(amtool, { alertname: a.alert, ...a.labels });
      if (got !== want) problems.push(`${a.alert} (${a.labels.severity}) goes to "${got}", want ${want}`);
    }
    assert.deepEqual(problems, []);
  });

  test('the watchdog never pages, whatever its severity', (t) => {
    const amtool = tool(t, 'amtool');
    if (!amtool) return;
    assert.equal(
      routesTo(amtool, { alertname: 'CatalystWatchdog', severity: 'critical' }),
      'deadmans-switch',
    );
  });

  test('PagerDuty gets the alert severity, summary and runbook; a critical inhibits its own warning', () => {
    const am = parse(readFileSync(CONFIG, 'utf8')) as {
      receivers: Array<{ name: string; pagerduty_configs?: Array<Record<string, unknown>> }>;
      inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[]; equal: string[] }>;
    };
    const pd = am.receivers.find((r) => r.name === 'pagerduty-critical')?.pagerduty_configs?.[0];
    assert.ok(pd, 'no pagerduty_configs on pagerduty-critical');
    assert.equal(pd.routing_key_file, '/etc/alertmanager/secrets/pagerduty_routing_key');
    assert.match(String(pd.severity), /\.CommonLabels\.severity/);
    assert.match(String(pd.description), /\.CommonAnnotations\.summary/);
    assert.deepEqual(pd.links, [{ href: '{{ .CommonAnnotations.runbook_url }}', text: 'Runbook' }]);
    const inhibit = am.inhibit_rules.find(
      (r) =>
        r.source_matchers.includes('severity = "critical"') &&
        r.target_matchers.includes('severity = "warning"'),
    );
    assert.ok(
      inhibit?.equal.includes('alertname'),
      'no rule where a critical inhibits the warning of the same alert',
    );
  });
});
