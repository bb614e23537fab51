// Integration tests run against the real servers. Without one on a developer's machine a test is
// skipped with a line naming what is missing; under CI=true a missing server is a failure.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function reachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function requireServer(t: TestContext, what: string, url: string): Promise<boolean> {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol.startsWith('redis') ? 6379 : 5432));
  if (await reachable(u.hostname, port)) return true;
  const line = `${what} is not reachable at ${u.hostname}:${port} (set TEST_${what.toUpperCase()}_URL)`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${line}`);
  t.skip(`skipped: ${line}`);
  return false;
}

/** Returns false (and marks the test skipped) when PostgreSQL is missing outside CI. */
export const requirePostgres = (t: TestContext) => requireServer(t, 'Postgres', POSTGRES_URL);
/** Returns false (and marks the test skipped) when Redis is missing outside CI. */
export const requireRedis = (t: TestContext) => requireServer(t, 'Redis', REDIS_URL);

// Where scripts/test-tools.sh unpacks Prometheus's tools (npm test puts it on PATH; a test run
// directly with node --test finds them here too).
const TEST_TOOLS = join(dirname(fileURLToPath(import.meta.url)), '../../.test-tools/root/usr/bin');

/** Where a binary is: the test tools, else the PATH; undefined when it is not installed. */
export function findBinary(name: string): string | undefined {
  const fetched = join(TEST_TOOLS, name);
  if (existsSync(fetched)) return fetched;
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/** The line saying a binary is missing, and how to get it when the test command can fetch it. */
export function binaryMissing(name: string): string {
  const prometheus = ['promtool', 'amtool', 'prometheus', 'prometheus-alertmanager'].includes(name);
  return `${name} is not installed${prometheus ? ' (npm test fetches it: bash scripts/test-tools.sh)' : ''}`;
}

/** A binary from the test tools or the PATH, or a skip (outside CI) / failure (CI) naming it. */
export function binary(t: TestContext, name: string): string | undefined {
  const found = findBinary(name);
  if (found !== undefined) return found;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${binaryMissing(name)}`);
  t.skip(`skipped: ${binaryMissing(name)}`);
  return undefined;
}

/** binary(), for callers that await it. */
export async function requireBinary(t: TestContext, name: string): Promise<string | undefined> {
  return binary(t, name);
}
