// Runs the fault proxy until SIGINT/SIGTERM: `node --import tsx chaos/fault-proxy/bin.ts --port 8474`.
import { runFaultProxyCli } from './src/cli.js';

runFaultProxyCli(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`fault-proxy: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
