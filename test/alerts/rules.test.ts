// The alert rules: generated files match their typed sources, promtool accepts them and their unit
// tests pass, and every alert has what on-call needs plus a unit test at its `for:` boundary.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { renderRuleFiles } from '../../alerts/src/generate.js';
import { DEFAULT_RUNBOOK_BASE_URL } from '../../src/observability/runbooks.js';
import { ALERTS, durationSeconds, loadRules, ROOT, ruleFiles, tool } from './support.js';

const { alerts, records } = loadRules();

interface PromtoolTestFile {
  evaluation_interval?: string;
  tests: Array<{
    name: string;
    alert_rule_test?: Array<{
      eval_time: string;
      alertname: string;
      exp_alerts: Array<{ exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }>;
    }>;
    promql_expr_test?: Array<{ expr: string }>;
  }>;
}

const testFiles = ruleFiles().map((f) => f.replace(/\.yml$/, '.test.yml'));
const unitTests = testFiles.map(
  (f) => parse(readFileSync(join(ALERTS, f), 'utf8')) as PromtoolTestFile & { file?: string },
);

describe('alert rules', () => {
  test('the committed rule files are what alerts/src/generate.ts writes', () => {
    for (const [file, text] of Object.entries(renderRuleFiles())) {
      assert.equal(
        readFileSync(join(ALERTS, file), 'utf8'),
        text,
        `alerts/${file} differs from its source: run node --import tsx alerts/src/generate.ts and commit`,
      );
    }
  });

  test('the runbook base URL is configurable', () => {
    const text = renderRuleFiles('https://wiki.example.com/catalyst/runbooks/')['catalyst.rules.yml']!;
    assert.match(text, /runbook_url: https:\/\/wiki\.example\.com\/catalyst\/runbooks\/CatalystDown\.md\n/);
  });

  test('every alert is named Catalyst..., routes by severity and links its runbook absolutely', () => {
    const problems: string[] = [];
    for (const a of alerts) {
      if (!/^Catalyst[A-Z]\w+$/.test(a.alert)) problems.push(`${a.alert}: name must start with Catalyst`);
      if (!['critical', 'warning', 'info'].includes(a.labels.severity ?? ''))
        problems.push(`${a.alert}: severity ${a.labels.severity} is not critical|warning|info`);
      if (!/^[A-Z].*\.$/.test(a.annotations.summary ?? ''))
        problems.push(`${a.alert}: summary must be a sentence ending with a period`);
      if (!a.annotations.description) problems.push(`${a.alert}: no description`);
      if (a.annotations.runbook_url !== `${DEFAULT_RUNBOOK_BASE_URL}/${a.alert}.md`)
        problems.push(`${a.alert}: runbook_url ${a.annotations.runbook_url} is not <base>/${a.alert}.md`);
    }
    assert.deepEqual(problems, []);
  });

  test('promtool check rules --lint=all accepts every rule file', (t) => {
    const promtool = tool(t, 'promtool');
    if (!promtool) return;
    const r = spawnSync(promtool, ['check', 'rules', '--lint=all', '--lint-fatal', ...ruleFiles()], {
      cwd: ALERTS,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  for (const file of testFiles) {
    test(`promtool test rules alerts/${file} passes`, (t) => {
      const promtool = tool(t, 'promtool');
      if (!promtool) return;
      const r = spawnSync(promtool, ['test', 'rules', file], { cwd: ALERTS, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
    });
  }

  test('every alert rule has a unit test just before and at its for: boundary, with full annotations', () => {
    const problems: string[] = [];
    for (const a of alerts) {
      const severity = a.labels.severity;
      const covered = unitTests.some((file) => {
        const step = durationSeconds(file.evaluation_interval ?? '1m');
        return file.tests.some((tc) => {
          const cases = (tc.alert_rule_test ?? []).filter((c) => c.alertname === a.alert);
          const firing = cases.filter((c) =>
            c.exp_alerts.some(
              (e) =>
                e.exp_labels?.severity === severity &&
                Object.entries(a.labels).every(([k, v]) => e.exp_labels?.[k] === v) &&
                ['summary', 'description', 'runbook_url'].every((k) => e.exp_annotations?.[k]),
            ),
          );
          return firing.some((f) => {
            const at = durationSeconds(f.eval_time);
            // Condition true from some evaluation T0 >= 0; the alert fires at T0 + for.
            if (at < durationSeconds(a.for)) return false;
            if (durationSeconds(a.for) === 0) return true;
            return cases.some((c) => {
              const before = durationSeconds(c.eval_time);
              return c.exp_alerts.length === 0 && before < at && at - before <= step;
            });
          });
        });
      });
      if (!covered)
        problems.push(
          `${a.alert} (${severity}, for ${a.for ?? '0'}): no test firing at a time and silent one evaluation before`,
        );
    }
    assert.deepEqual(problems, []);
  });

  test('every recording rule has a value test', () => {
    const tested = unitTests.flatMap((f) =>
      f.tests.flatMap((tc) => (tc.promql_expr_test ?? []).map((e) => e.expr)),
    );
    const missing = records
      .map((r) => `${r.record}{slo="${r.labels?.slo}"}`)
      .filter((sel) => !tested.some((e) => e.includes(sel)));
    assert.deepEqual(missing, []);
  });

  test('deploy/prometheus loads every rule file', () => {
    const prom = readFileSync(join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8');
    assert.match(prom, /\/etc\/prometheus\/alerts\/\*\.rules\.yml/);
  });
});
