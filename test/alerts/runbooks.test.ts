// runbooks/: one page per alert and one alert per page, each with the four sections on-call
// expects, every `catalyst` command it shows a real one, and every PromQL block parsable.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { analyse } from './promql.js';
import { codeBlocks, loadRules, ROOT } from './support.js';

const DIR = join(ROOT, 'runbooks');
const pages = readdirSync(DIR)
  .filter((f) => f.endsWith('.md'))
  .map((f) => ({ name: f.replace(/\.md$/, ''), text: readFileSync(join(DIR, f), 'utf8') }));

const codeSpans = (markdown: string) => [
  ...[...markdown.matchAll(/```\w*\n([\s\S]*?)```/g)].map((m) => m[1]!),
  ...[...markdown.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!),
];

describe('runbooks', () => {
  test('every alert has a runbook and every runbook an alert', () => {
    const alerts = new Set(loadRules().alerts.map((a) => a.alert));
    const runbooks = new Set(pages.map((p) => p.name));
    assert.deepEqual(
      [...alerts].filter((a) => !runbooks.has(a)),
      [],
      'alerts without runbooks/<AlertName>.md',
    );
    assert.deepEqual(
      [...runbooks].filter((r) => !alerts.has(r)),
      [],
      'runbooks without an alert',
    );
  });

  test('every runbook has Meaning, Impact, Diagnosis (with PromQL) and Mitigation', () => {
    const problems: string[] = [];
    for (const p of pages) {
      if (!p.text.startsWith(`# ${p.name}\n`)) problems.push(`${p.name}: the title must be the alert name`);
      for (const s of ['Meaning', 'Impact', 'Diagnosis', 'Mitigation'])
        if (!p.text.includes(`\n## ${s}\n`)) problems.push(`${p.name}: no "## ${s}" section`);
      if (codeBlocks(p.text, 'promql').length === 0)
        problems.push(`${p.name}: Diagnosis has no promql block`);
    }
    assert.deepEqual(problems, []);
  });

  test('every PromQL block parses', () => {
    const problems = pages.flatMap((p) =>
      codeBlocks(p.text, 'promql').flatMap((q) => {
        const e = analyse(q).error;
        return e ? [`${p.name}: ${e}`] : [];
      }),
    );
    assert.deepEqual(problems, []);
  });

  test('every catalyst command a runbook shows exists (its --help succeeds)', () => {
    const commands = new Map<string, Set<string>>();
    for (const p of pages)
      for (const code of codeSpans(p.text))
        for (const m of code.matchAll(
          /(?:^|[\s`(=$])catalyst ([a-z][a-z-]*)(?=[\s`)]|$)(?: ([a-z]+)(?=[\s`)]|$))?/g,
        )) {
          const subs = commands.get(m[1]!) ?? new Set<string>();
          if (m[2]) subs.add(m[2]);
          commands.set(m[1]!, subs);
        }
    assert.ok(commands.size > 0, 'no runbook shows a catalyst command');
    const problems: string[] = [];
    for (const [cmd, subs] of commands) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', cmd, '--help'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      if (r.status !== 0) {
        problems.push(`catalyst ${cmd} --help exits ${r.status}: ${r.stderr.split('\n')[0]}`);
        continue;
      }
      // Commands with actions (tokens create|list|revoke) list each in their usage.
      const actions = [...r.stdout.matchAll(new RegExp(`catalyst ${cmd} ([a-z]+)`, 'g'))].map((m) => m[1]!);
      for (const s of subs)
        if (actions.length > 0 && !actions.includes(s)) problems.push(`catalyst ${cmd} has no action "${s}"`);
    }
    assert.deepEqual(problems, []);
  });
});
