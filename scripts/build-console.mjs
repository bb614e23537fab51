#!/usr/bin/env node
// `npm run build` step for the operator console: type-checks its plain JS (JSDoc types) and copies
// the static files to dist/console, where the built node serves them at /console.
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';

const check = spawnSync('npx', ['tsc', '-p', 'console/tsconfig.json'], { stdio: 'inherit' });
if (check.status !== 0) process.exit(check.status ?? 1);
rmSync('dist/console', { recursive: true, force: true });
cpSync('console', 'dist/console', {
  recursive: true,
  filter: (src) => !src.endsWith('tsconfig.json'),
});
