// A node:test reporter that ends the run with the slowest test files, so a suite that grows slow (or
// a file that a loaded machine stretches towards its timeout) shows in every run's output, CI's too.
// A file's time is the sum of its top-level tests: Node's runner reports no per-file event.
const SHOWN = 12;

export default async function* slowestFiles(source) {
  const byFile = new Map();
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { nesting, file, details } = event.data;
    if (nesting !== 0 || file === undefined) continue;
    byFile.set(file, (byFile.get(file) ?? 0) + (details?.duration_ms ?? 0));
  }
  const cwd = `${process.cwd()}/`;
  const rows = [...byFile].sort((a, b) => b[1] - a[1]).slice(0, SHOWN);
  if (rows.length === 0) return;
  yield `\nslowest test files (${byFile.size} in all):\n`;
  for (const [file, ms] of rows)
    yield `  ${(ms / 1000).toFixed(1).padStart(7)} s  ${file.replace(cwd, '')}\n`;
}
