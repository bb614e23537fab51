// A private redis-server for tests that kill or freeze (SIGSTOP) Redis mid-test. The shared Redis on
// 6379 is never stopped; this one lives on a free port and dies with the test. (test/bus has a
// restartable variant; this one exposes the process so a test can freeze it.)
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { TestContext } from 'node:test';
import { freePort } from './free-port.js';
import { waitFor } from './wait.js';

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

export interface PrivateRedis {
  port: number;
  url: string;
  process: ChildProcess;
  /** SIGKILL, as a crash would; resolves once the process has exited. */
  kill(): Promise<void>;
}

/** `t` is a test's context, or anything that ends what it is given when its run ends (a chaos scenario). */
export async function startPrivateRedis(t: Pick<TestContext, 'after'>): Promise<PrivateRedis> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  t.after(kill);
  await waitFor(() => accepts(port), `redis-server on port ${port} to accept connections`, 5_000, 25);
  return { port, url: `redis://127.0.0.1:${port}`, process: child, kill };
}
