// The rules of docs/ARCHITECTURE.md that hold by construction, checked on the source: only the
// composition root (src/main.ts) builds adapters and guards; every other module sees ports only, so
// no dependency call can go around src/resilience.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

interface Import {
  file: string; // relative to src/
  target: string; // resolved, relative to src/, without extension
  names: string[];
}

/** Every static and dynamic import (and re-export) of a module of ours, with the names it takes. */
function imports(): Import[] {
  const out: Import[] = [];
  for (const path of sources(SRC)) {
    const text = readFileSync(path, 'utf8');
    const file = relative(SRC, path);
    const add = (spec: string, names: string[]) => {
      if (!spec.startsWith('.')) return;
      const target = relative(SRC, resolve(dirname(path), spec)).replace(/\.js$/, '');
      out.push({ file, target, names });
    };
    // A re-export hands the module on as surely as an import. No `;` inside: one statement only.
    for (const m of text.matchAll(/(?:import|export)\s+(type\s+)?([^;]*?)\s+from\s+'([^']+)'/g)) {
      const names = (m[2] ?? '')
        .replace(/[{}]/g, '')
        .split(',')
        .map(
          (n) =>
            n
              .trim()
              .replace(/^type\s+/, '')
              .split(/\s+as\s+/)[0]!,
        )
        .filter(Boolean);
      add(m[3]!, names);
    }
    for (const m of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) add(m[1]!, ['*']);
  }
  return out;
}

const isRoot = (file: string) => file === 'main.ts';
/** Adapters: what talks to a real server or file. Only the root (and the adapter's own folder) may import them. */
const ADAPTERS = [/^store\/(sqlite|postgres)\//, /^bus\/memory-bus$/, /^bus\/redis\//, /^deps\/(?!.*port$)/];
/** What builds or holds a Dependency. Only the root and resilience/ itself may import it. */
const GUARD_MODULES = /^resilience\/(dependency|registry|guarded-[a-z-]+)$/;
/** Types that describe a dependency's state without giving a way to call it. */
const READ_ONLY = new Set(['DependencySnapshot']);

describe('architecture boundaries', () => {
  const all = imports();

  it('finds the imports it checks (the scan itself works)', () => {
    assert.ok(all.some((i) => i.file === 'main.ts' && GUARD_MODULES.test(i.target)));
    assert.ok(all.some((i) => i.file === 'main.ts' && ADAPTERS.some((a) => a.test(i.target))));
  });

  it('no module but main.ts and resilience/ receives a guard or a Dependency', () => {
    const offenders = all.filter(
      (i) =>
        !isRoot(i.file) &&
        !i.file.startsWith('resilience/') &&
        GUARD_MODULES.test(i.target) &&
        i.names.some((n) => !READ_ONLY.has(n)),
    );
    assert.deepEqual(
      offenders.map((i) => `${i.file} imports ${i.names.join(', ')} from ${i.target}`),
      [],
      'consumers take ports; main.ts wraps each adapter in its guard',
    );
  });

  it('no consumer imports an adapter: only main.ts builds them', () => {
    const offenders = all.filter((i) => {
      if (isRoot(i.file) || !ADAPTERS.some((a) => a.test(i.target))) return false;
      // An adapter's own folder (its helpers, its migrations) is the adapter.
      return dirname(i.file) !== dirname(i.target);
    });
    assert.deepEqual(
      offenders.map((i) => `${i.file} imports ${i.target}`),
      [],
      'take the port; main.ts (openGuardedStore, openCommandStore) builds the adapter',
    );
  });

  it('only the configuration reads the environment (and the entry points, which start before it)', () => {
    const allowed = [
      /^config(\.ts$|\/)/, // one typed configuration, one ConfigError naming the variable
      /^cli(\.ts$|\/)/, // the command line: client settings (CATALYST_URL, CATALYST_TOKEN), children's env
      /^observability\/instrument\.ts$/, // a --import preload: Sentry starts before any other module loads
      /^store\/backup\/pg-tools\.ts$/, // hands the environment on to pg_dump, with PGPASSWORD added
    ];
    const offenders = sources(SRC)
      .map((path) => ({ file: relative(SRC, path), text: readFileSync(path, 'utf8') }))
      .filter(({ file }) => !allowed.some((a) => a.test(file)))
      .flatMap(({ file, text }) =>
        text
          .split('\n')
          .map((line, i) => ({ line: line.trim(), at: `${file}:${i + 1}` }))
          .filter(({ line }) => !/^(\/\/|\/?\*)/.test(line))
          .filter(({ line }) => /\bprocess\.env\b|'node:process'/.test(line))
          .map(({ at, line }) => `${at}: ${line}`),
      );
    assert.deepEqual(offenders, [], 'take the setting from Config (src/config.ts)');
  });

  it('domain/ imports nothing of ours outside domain/', () => {
    const offenders = all.filter((i) => i.file.startsWith('domain/') && !i.target.startsWith('domain/'));
    assert.deepEqual(
      offenders.map((i) => `${i.file} imports ${i.target}`),
      [],
    );
  });
});
