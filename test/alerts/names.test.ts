// Every metric, label and label value that a rule, a runbook or a dashboard names is one Catalyst
// exports: read from the /metrics of a real node that has published and delivered a signal
// (exported.ts). Misspelt names otherwise
// only show up as an empty panel or an alert that can never fire.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { liveSchema, type Schema, TARGET_LABELS } from './exported.js';
import { checkExpression } from './references.js';
import { codeBlocks, loadDashboards, loadRules, ROOT } from './support.js';

describe('names used by rules, runbooks and dashboards', () => {
  let schema: Schema;
  const { alerts, records } = loadRules();
  const recorded = new Map<string, Set<string>>();
  for (const r of records) {
    const set = recorded.get(r.record) ?? new Set(TARGET_LABELS);
    for (const l of Object.keys(r.labels ?? {})) set.add(l);
    recorded.set(r.record, set);
  }

  before(async () => {
    schema = (await liveSchema()).schema;
  });

  test('a live node exports the metrics the operations files were written against', () => {
    for (const m of [
      'catalyst_http_requests_total',
      'catalyst_publish_to_send_seconds_bucket',
      'catalyst_dependency_breaker_state',
    ])
      assert.ok(schema.has(m), `${m} is not on a live node's /metrics`);
    assert.ok(schema.get('catalyst_http_requests_total')?.has('status_code'));
  });

  test('alert and recording rules', () => {
    const problems = [
      ...alerts.map((a) => checkExpression(`alert ${a.alert}`, a.expr, schema, recorded)),
      ...records.map((r) => checkExpression(`record ${r.record}`, r.expr, schema, recorded)),
    ].flat();
    assert.deepEqual(problems, []);
  });

  test('runbooks', () => {
    const dir = join(ROOT, 'runbooks');
    const problems = readdirSync(dir)
      .filter((f) => f.endsWith('.md'))
      .flatMap((f) =>
        codeBlocks(readFileSync(join(dir, f), 'utf8'), 'promql').flatMap((q) =>
          checkExpression(f, q, schema, recorded),
        ),
      );
    assert.deepEqual(problems, []);
  });

  test('dashboards', () => {
    const problems = loadDashboards().flatMap(({ file, json }) =>
      json.panels.flatMap((p) =>
        (p.targets ?? []).flatMap((t) => checkExpression(`${file} "${p.title}"`, t.expr, schema, recorded)),
      ),
    );
    assert.deepEqual(problems, []);
  });
});
