// Summarises a V8 .cpuprofile (from `npm run bench -- --cpu-prof`): self and inclusive time per
// function, and self time per file. Usage: node --import tsx bench/profile-summary.ts <file> [--top 25]
// [--skip S] (leave out the first S seconds: start-up, module loading) [--last S] (only the last S
// seconds: a steady phase that ends the run, without the connections made before it)
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({
  options: {
    top: { type: 'string', default: '25' },
    skip: { type: 'string', default: '0' },
    last: { type: 'string' },
  },
  allowPositionals: true,
});
const file = positionals[0];
if (!file) {
  process.stderr.write(
    'usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [--top N] [--skip S] [--last S]\n',
  );
  process.exit(2);
}
const top = Number(values.top);
const prof = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const shortUrl = (u: string) =>
  u
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, 'node_modules/')
    .replace(/^.*\/work\/[^/]+\//, '');
const label = (f: CallFrame) =>
  `${f.functionName || '(anonymous)'} ${f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}` : ''}`.trim();

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const perFile = new Map<string, number>();
let total = 0;
const skipUs = values.last
  ? prof.endTime - prof.startTime - Number(values.last) * 1e6
  : Number(values.skip) * 1e6;
let at = prof.startTime;
prof.samples.forEach((id, i) => {
  const dt = (prof.timeDeltas[i] ?? 0) / 1000;
  at += prof.timeDeltas[i] ?? 0;
  if (at - prof.startTime < skipUs) return;
  total += dt;
  const node = byId.get(id);
  if (!node) return;
  const l = label(node.callFrame);
  self.set(l, (self.get(l) ?? 0) + dt);
  const f = node.callFrame.url ? shortUrl(node.callFrame.url) : node.callFrame.functionName;
  perFile.set(f, (perFile.get(f) ?? 0) + dt);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur);
    if (!n) break;
    const cl = label(n.callFrame);
    if (seen.has(cl)) continue;
    seen.add(cl);
    inclusive.set(cl, (inclusive.get(cl) ?? 0) + dt);
  }
});

const print = (title: string, m: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(
      `  ${v.toFixed(0).padStart(8)} ms  ${((v / total) * 100).toFixed(1).padStart(5)} %  ${k}\n`,
    );
  }
};
process.stdout.write(
  `profile ${file}: ${(total / 1000).toFixed(1)} s sampled (wall ${((prof.endTime - prof.startTime) / 1e6).toFixed(1)} s)\n`,
);
print('self time by function', self);
print('inclusive time by function', inclusive);
print('self time by file', perFile);
