// dashboards/: what a dashboard linter would check, since none exists for Grafana on npm or in
// Debian. Stable uid, a datasource variable, `$__rate_interval` in every range, and on every panel
// a title, a description, a unit and expressions that parse. Names are checked against a live
// node in names.test.ts.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { renderDashboards } from '../../dashboards/src/generate.js';
import { analyse } from './promql.js';
import { loadDashboards, ROOT } from './support.js';

describe('dashboards', () => {
  const dashboards = loadDashboards();

  test('the committed JSON is what dashboards/src/generate.ts writes', () => {
    const rendered = renderDashboards();
    const committed = readdirSync(join(ROOT, 'dashboards')).filter((f) => f.endsWith('.json'));
    assert.deepEqual(
      committed.sort(),
      Object.keys(rendered).sort(),
      'dashboards/*.json without a source, or missing',
    );
    for (const [file, text] of Object.entries(rendered))
      assert.equal(
        readFileSync(join(ROOT, 'dashboards', file), 'utf8'),
        text,
        `dashboards/${file} differs from its source: run node --import tsx dashboards/src/generate.ts`,
      );
  });

  test('overview, dependencies and pipeline exist, each with a stable uid and a datasource variable', () => {
    assert.deepEqual(dashboards.map((d) => d.json.uid).sort(), [
      'catalyst-dependencies',
      'catalyst-overview',
      'catalyst-pipeline',
    ]);
    for (const { file, json } of dashboards) {
      assert.equal(`${json.uid}.json`, file, 'the uid is the file name, so links survive a re-import');
      assert.ok(json.title && json.description, `${file}: title and description`);
      const ds = json.templating.list.find((v) => v.type === 'datasource');
      assert.equal(ds?.query, 'prometheus', `${file}: needs a templated Prometheus datasource variable`);
    }
  });

  test('every panel has a title, a description, a unit, the datasource variable and parsable queries', () => {
    const problems: string[] = [];
    for (const { file, json } of dashboards)
      for (const p of json.panels.filter((x) => x.type !== 'row')) {
        const where = `${file} "${p.title ?? p.id}"`;
        if (!p.title) problems.push(`${where}: no title`);
        if (!p.description) problems.push(`${where}: no description`);
        if (!p.fieldConfig?.defaults?.unit) problems.push(`${where}: no unit`);
        if (p.datasource?.uid !== '${datasource}')
          problems.push(`${where}: datasource is not \${datasource}`);
        if (!p.targets?.length) problems.push(`${where}: no query`);
        for (const t of p.targets ?? []) {
          if (t.datasource?.uid !== '${datasource}')
            problems.push(`${where} ${t.refId}: datasource is not \${datasource}`);
          const error = analyse(t.expr).error;
          if (error) problems.push(`${where} ${t.refId}: ${error}`);
          for (const m of t.expr.matchAll(/\[([^\]]+)\]/g))
            if (m[1] !== '$__rate_interval')
              problems.push(`${where} ${t.refId}: range [${m[1]}] instead of [$__rate_interval]`);
        }
      }
    assert.deepEqual(problems, []);
  });
});
