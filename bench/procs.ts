// Every process the bench starts, in its own process group, ended on exit, failure or Ctrl-C; and
// every cleanup (temp dirs, databases, Redis keys) run once on the same paths.
import { type ChildProcess, execFileSync, fork, spawn, type SpawnOptions } from 'node:child_process';
import { ROOT } from './server.js';

const groups = new Set<ChildProcess>();
const cleanups = new Set<() => Promise<void> | void>();

/** Raises this process's open-file limit (root may; children inherit it). Returns the limit in force. */
export function raiseFileLimit(want = 65536): number {
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${want}:${want}`], { stdio: 'ignore' });
  } catch {
    // not root, or no prlimit: the soft limit stays; run `ulimit -n` before the bench (README)
  }
  try {
    return Number(
      execFileSync('prlimit', ['--pid', String(process.pid), '--nofile', '--output=SOFT', '--noheadings'])
        .toString()
        .trim(),
    );
  } catch {
    return Number.NaN;
  }
}

function track(child: ChildProcess): ChildProcess {
  groups.add(child);
  child.once('exit', () => groups.delete(child));
  return child;
}

/** Spawns a command as the leader of a new process group. */
export function spawnGroup(cmd: string, argv: string[], opts: SpawnOptions = {}): ChildProcess {
  return track(spawn(cmd, argv, { cwd: ROOT, ...opts, detached: true }));
}

/** Forks a bench TypeScript module (IPC channel) as the leader of a new process group. */
export function forkGroup(module: string, env: Record<string, string> = {}): ChildProcess {
  return track(
    fork(module, [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: true,
    }),
  );
}

function signalGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  try {
    process.kill(-(child.pid as number), sig);
  } catch {
    // already gone
  }
}

/** SIGTERM to the group, SIGKILL after `graceMs`; resolves on exit. */
export async function endGroup(child: ChildProcess, graceMs = 10_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) {
    signalGroup(child, 'SIGKILL'); // grandchildren, if any
    return child.exitCode;
  }
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  signalGroup(child, 'SIGTERM');
  const force = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  const code = await exited;
  clearTimeout(force);
  signalGroup(child, 'SIGKILL');
  return code;
}

/** Registers a cleanup to run at the end (or on Ctrl-C); returns a function that runs it now, once. */
export function onCleanup(fn: () => Promise<void> | void): () => Promise<void> {
  let done = false;
  const once = async () => {
    if (done) return;
    done = true;
    cleanups.delete(once);
    await fn();
  };
  cleanups.add(once);
  return once;
}

/** Ends every group still running and runs every pending cleanup. */
export async function endAll(): Promise<void> {
  await Promise.all([...groups].map((c) => endGroup(c, 3000)));
  for (const c of [...cleanups].reverse()) {
    try {
      await c();
    } catch (err) {
      process.stderr.write(`cleanup failed: ${(err as Error).message}\n`);
    }
  }
}

let ending = false;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    if (ending) return;
    ending = true;
    process.stderr.write(`\n${sig}: ending every bench process and removing what the bench made...\n`);
    void endAll().finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  for (const c of groups) signalGroup(c, 'SIGKILL');
});
