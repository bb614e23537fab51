#!/usr/bin/env node
// The installed entry point runs the compiled CLI (`npm run build` produces dist/).
import { runCli } from '../dist/src/cli.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`catalyst: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
