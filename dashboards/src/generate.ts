// Writes dashboards/<uid>.json from dashboards/src/dashboards.ts. Run from the repository root:
//   node --import tsx dashboards/src/generate.ts
// test/alerts/dashboards.test.ts fails when the committed JSON differs from what this writes.
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DASHBOARDS } from './dashboards.js';
import { dashboard } from './panel.js';

export const DASHBOARDS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** File name (under dashboards/) -> JSON text. */
export function renderDashboards(): Record<string, string> {
  return Object.fromEntries(
    Object.values(DASHBOARDS).map((spec) => [
      `${spec.uid}.json`,
      `${JSON.stringify(dashboard(spec), null, 2)}\n`,
    ]),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const [file, text] of Object.entries(renderDashboards())) {
    writeFileSync(join(DASHBOARDS_DIR, file), text);
    process.stdout.write(`wrote dashboards/${file}\n`);
  }
}
