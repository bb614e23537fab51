// Starts a real Catalyst node as a child process on a fresh data directory, creates its tokens with
// the CLI, and samples its CPU and RSS from /proc while a scenario runs.
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { setPriority } from 'node:os';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { endGroup, onCleanup, spawnGroup } from './procs.js';

export const ROOT = resolve(import.meta.dirname, '..');

export interface BenchServer {
  url: string;
  pid: number;
  publishToken: string;
  subscribeToken: string;
  dataDir: string;
  child: ChildProcess;
  stop(): Promise<number | null>;
}

export interface ServerOptions {
  /** Extra node flags for the server, e.g. --cpu-prof. */
  nodeArgs?: string[];
  env?: Record<string, string>;
  /** Where the temp data directory is made (default the OS temp dir); /dev/shm takes fsync out of the picture. */
  dataParent?: string;
  /** Checkout whose src/cli.ts is served (default this one): measures a change before it lands. */
  serverRoot?: string;
  /** Tokens already in the store (a shared PostgreSQL): none are created. */
  tokens?: { publish: string; subscribe: string };
}

function createToken(
  cli: string,
  dataDir: string,
  name: string,
  scope: string,
  env: Record<string, string> = {},
): string {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', cli, 'tokens', 'create', '--name', name, '--scope', scope],
    {
      cwd: ROOT,
      env: { ...process.env, ...env, CATALYST_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  return out.toString().trim();
}

export async function startServer(opts: ServerOptions = {}): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(opts.dataParent ?? tmpdir(), 'catalyst-bench-'));
  const root = resolve(opts.serverRoot ?? ROOT);
  const cli = join(root, 'src', 'cli.ts');
  const removeDataDir = onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));
  const publishToken =
    opts.tokens?.publish ?? createToken(cli, dataDir, 'bench-publisher', 'publish', opts.env);
  const subscribeToken =
    opts.tokens?.subscribe ?? createToken(cli, dataDir, 'bench-subscriber', 'subscribe', opts.env);
  const child = spawnGroup(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', cli, 'serve'], {
    cwd: root,
    env: {
      ...process.env,
      CATALYST_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      // One host plays 1,000 subscribers and a publisher: the per-IP and per-token limits that
      // protect a real node would measure the limiter, not the delivery path.
      CATALYST_RATE_PUBLISH_PER_TOKEN: '10000000/1s',
      CATALYST_RATE_WS_CONNECTS_PER_IP: '10000000/1s',
      CATALYST_RATE_WS_CONNECTS_PER_TOKEN: '10000000/1s',
      CATALYST_RATE_REST_READS_PER_TOKEN: '10000000/1s',
      CATALYST_MAX_UNAUTHENTICATED_PER_ADDRESS: '100000',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start in 30 s:\n${stderr.join('')}`)),
      30_000,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${stderr.join('')}`));
    });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      let rec: { msg?: string; url?: string; level?: number };
      try {
        rec = JSON.parse(line) as typeof rec;
      } catch {
        return;
      }
      if (rec.msg === 'catalyst listening' && rec.url) {
        clearTimeout(timer);
        resolveUrl(rec.url);
      } else if ((rec.level ?? 0) >= 40) process.stderr.write(`[server] ${line}\n`);
    });
  });
  const pid = child.pid as number;
  const exited = new Promise<number | null>((r) => {
    if (child.exitCode !== null) r(child.exitCode);
    else child.once('exit', (code) => r(code));
  });
  const stop = async () => {
    const code = await endGroup(child, 15_000);
    await exited;
    await removeDataDir();
    return code;
  };
  return { url, pid, publishToken, subscribeToken, dataDir, child, stop };
}

const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim() || 100);

/** utime + stime of a process in ms, from /proc/<pid>/stat (fields 14 and 15, after the comm). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (14) is fields[11] and stime (15) is fields[12].
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

export function statusKb(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) : Number.NaN;
}

/** Main-thread time spent runnable but waiting for a CPU, in ms (/proc/<pid>/schedstat field 2). */
function runQueueWaitMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/);
  return Number(f[1]) / 1e6;
}

/** Sets the nice value of every thread of a process (Linux nice is per thread). Needs root for < 0. */
export function renice(pid: number, priority: number): void {
  let tids: string[] = [String(pid)];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    // not Linux, or gone
  }
  for (const tid of tids) {
    try {
      setPriority(Number(tid), priority);
    } catch (err) {
      throw new Error(`cannot set priority ${priority} on ${pid}/${tid}: ${(err as Error).message}`);
    }
  }
}

export interface ProcStats {
  /** CPU time over the window divided by wall time, in % of one core. */
  cpuPercent: number;
  /** CPU time (utime + stime) over the window, ms. */
  cpuMs: number;
  wallMs: number;
  /** Highest CPU % seen over any one sampling interval. */
  cpuPeakPercent: number;
  rssPeakMb: number;
  rssEndMb: number;
  /** Kernel high-water mark of RSS over the process's whole life (start-up included). */
  rssHwmMb: number;
  /** Share of the window the main (event-loop) thread was runnable but not running: CPU starvation. */
  runQueueWaitPercent: number;
  samples: number;
}

/** Samples one process every `intervalMs` between start() and stop(). */
export class ProcSampler {
  private timer: NodeJS.Timeout | undefined;
  private cpu0 = 0;
  private t0 = 0;
  private lastCpu = 0;
  private lastT = 0;
  private peakCpu = 0;
  private peakRss = 0;
  private lastRss = 0;
  private samples = 0;
  private wait0 = 0;
  private lastWait = 0;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    this.t0 = this.lastT = performance.now();
    this.cpu0 = this.lastCpu = cpuMs(this.pid);
    this.wait0 = this.lastWait = runQueueWaitMs(this.pid);
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  private sample(): void {
    try {
      const t = performance.now();
      const c = cpuMs(this.pid);
      if (t - this.lastT > 0 && this.samples > 0)
        this.peakCpu = Math.max(this.peakCpu, ((c - this.lastCpu) / (t - this.lastT)) * 100);
      this.lastT = t;
      this.lastCpu = c;
      this.lastWait = runQueueWaitMs(this.pid);
      this.lastRss = statusKb(this.pid, 'VmRSS') / 1024;
      this.peakRss = Math.max(this.peakRss, this.lastRss);
      this.samples += 1;
    } catch {
      // the process went away; stop() reports what was seen
    }
  }

  stop(): ProcStats {
    this.sample();
    clearInterval(this.timer);
    const wall = this.lastT - this.t0;
    let hwm = Number.NaN;
    try {
      hwm = statusKb(this.pid, 'VmHWM') / 1024;
    } catch {
      // gone
    }
    return {
      cpuPercent: wall > 0 ? ((this.lastCpu - this.cpu0) / wall) * 100 : Number.NaN,
      cpuMs: this.lastCpu - this.cpu0,
      wallMs: wall,
      cpuPeakPercent: this.peakCpu,
      rssPeakMb: this.peakRss,
      rssEndMb: this.lastRss,
      rssHwmMb: hwm,
      runQueueWaitPercent: wall > 0 ? ((this.lastWait - this.wait0) / wall) * 100 : Number.NaN,
      samples: this.samples,
    };
  }
}
