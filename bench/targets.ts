// The three servers compared on one workload: Catalyst (this checkout's src/cli.ts, or --server-root),
// the raw `ws` baseline and the Socket.IO baseline. Each is one node process in its own process group.
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { endGroup, spawnGroup } from './procs.js';
import { ROOT, startServer } from './server.js';

/** 'catalyst-after' is Catalyst served from another checkout (--compare): before and after in one run. */
export type TargetName = 'catalyst' | 'catalyst-after' | 'raw-ws' | 'socketio';
export const BASELINES: TargetName[] = ['raw-ws', 'socketio'];

export interface Target {
  name: TargetName;
  url: string;
  pid: number;
  publishToken: string;
  subscribeToken: string;
  /** Path of the WebSocket endpoint and the client protocol the subscribers speak. */
  wsUrl: string;
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

async function startBaseline(name: 'raw-ws' | 'socketio', opts: TargetOptions): Promise<Target> {
  const child = spawnGroup(
    process.execPath,
    [...(opts.nodeArgs ?? []), '--import', 'tsx', join(ROOT, 'bench', 'baselines', `${name}.ts`)],
    { env: { ...process.env, NODE_NO_WARNINGS: '1', ...opts.env }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 30 s`)), 30_000);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (!line.includes('"listening"')) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
  });
  return {
    name,
    url,
    pid: child.pid as number,
    publishToken: 'none',
    subscribeToken: 'none',
    wsUrl: name === 'socketio' ? url : `${url.replace(/^http/, 'ws')}/ws`,
    protocol: name === 'socketio' ? 'socketio' : 'catalyst',
    stop: async () => {
      await endGroup(child);
    },
  };
}

export async function startTarget(name: TargetName, opts: TargetOptions = {}): Promise<Target> {
  if (name === 'raw-ws' || name === 'socketio') return startBaseline(name, opts);
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
    publishToken: s.publishToken,
    subscribeToken: s.subscribeToken,
    wsUrl: `${s.url.replace(/^http/, 'ws')}/ws`,
    protocol: 'catalyst',
    stop: async () => {
      await s.stop();
    },
  };
}
