// Runs the real `catalyst subscribe` command as a child process and reads its JSON lines.
import { spawn } from 'node:child_process';
import type { TestContext } from 'node:test';
import type { Signal } from '../../src/domain/signal.js';

export interface SubscribeCli {
  /** Seqs of the signals printed on stdout so far. */
  seqs(): number[];
  stderr(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

export function runSubscribeCli(t: TestContext, args: string[]): SubscribeCli {
  const cli = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'subscribe', ...args], {
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => cli.once('exit', (code) => r(code)));
  t.after(() => cli.kill('SIGKILL'));
  let out = '';
  let err = '';
  cli.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  cli.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  return {
    seqs: () =>
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as Signal).seq),
    stderr: () => err,
    stop: () => {
      cli.kill('SIGTERM');
      return exited;
    },
  };
}
