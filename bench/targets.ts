// The three servers compared on one workload: Catalyst (this checkout's src/cli.ts, or --server-root),
// the raw `ws` baseline and the Socket.IO baseline. Each is one node process in its own process group.
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { endGroup, spawnGroup } from './procs.js';
import { ROOT, startServer } from './server.js';

/** 'catalyst-after' is Catalyst served from another checkout (--compare): before and after in one run. */
export type TargetName = 'catalyst' | 'catalyst-after' | 'raw-ws' | 'socketio' | 'floor' | 'floor-x2';
export const BASELINES: TargetName[] = ['raw-ws', 'socketio'];
/**
 * Diagnostic, served only when --targets names them: the floor of one write per delivery on this
 * machine (bench/baselines/floor.ts), in one process and sharded over two.
 */
export const FLOORS: TargetName[] = ['floor', 'floor-x2'];
type BaselineName = 'raw-ws' | 'socketio' | 'floor' | 'floor-x2';

export interface Target {
  name: TargetName;
  url: string;
  pid: number;
  publishToken: string;
  subscribeToken: string;
  /** Path of the WebSocket endpoint and the client protocol the subscribers speak. */
  wsUrl: string;
  /** Every process serving it (CPU and memory are their sum): [pid] but for a sharded floor. */
  pids: number[];
  protocol: 'catalyst' | 'socketio';
  stop(): Promise<void>;
}

export interface TargetOptions {
  env?: Record<string, string>;
  nodeArgs?: string[];
  /** Catalyst only: serve another checkout's src/cli.ts. */
  serverRoot?: string;
  /** Catalyst only: tokens already in its (shared) store. */
  tokens?: { publish: string; subscribe: string };
}

async function startBaseline(name: BaselineName, opts: TargetOptions): Promise<Target> {
  const script = name === 'floor-x2' ? 'floor' : name;
  const env = name === 'floor-x2' ? { FLOOR_WORKERS: '2' } : {};
  const child = spawnGroup(
    process.execPath,
    [...(opts.nodeArgs ?? []), '--import', 'tsx', join(ROOT, 'bench', 'baselines', `${script}.ts`)],
    {
      env: { ...process.env, NODE_NO_WARNINGS: '1', ...env, ...opts.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise<{ url: string; wsUrl?: string; pids?: number[] }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 30 s`)), 30_000);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (!line.includes('"listening"')) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as { url: string; wsUrl?: string; pids?: number[] });
    });
  });
  const url = line.url;
  return {
    name,
    url,
    pid: child.pid as number,
    pids: line.pids ?? [child.pid as number],
    publishToken: 'none',
    subscribeToken: 'none',
    wsUrl: line.wsUrl ?? (name === 'socketio' ? url : `${url.replace(/^http/, 'ws')}/ws`),
    protocol: name === 'socketio' ? 'socketio' : 'catalyst',
    stop: async () => {
      await endGroup(child);
    },
  };
}

export async function startTarget(name: TargetName, opts: TargetOptions = {}): Promise<Target> {
  if (name !== 'catalyst' && name !== 'catalyst-after') return startBaseline(name, opts);
  const s = await startServer({
    ...(opts.nodeArgs ? { nodeArgs: opts.nodeArgs } : {}),
    ...(opts.serverRoot ? { serverRoot: opts.serverRoot } : {}),
    ...(opts.tokens ? { tokens: opts.tokens } : {}),
    env: { NODE_NO_WARNINGS: '1', ...opts.env },
  });
  return {
    name,
    url: s.url,
    pid: s.pid,
    pids: [s.pid],
    publishToken: s.publishToken,
    subscribeToken: s.subscribeToken,
    wsUrl: `${s.url.replace(/^http/, 'ws')}/ws`,
    protocol: 'catalyst',
    stop: async () => {
      await s.stop();
    },
  };
}
