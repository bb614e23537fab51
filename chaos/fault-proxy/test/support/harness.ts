// A fault proxy started in-process, with plain HTTP access to its API and small TCP peers to proxy to.
// Everything binds to loopback on port 0 and is closed by the test's after-hook.
import net from 'node:net';
import type { TestContext } from 'node:test';
import { type FaultProxyOptions, type RunningFaultProxy, startFaultProxy } from '../../src/index.js';

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
}

export interface Harness {
  fp: RunningFaultProxy;
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResult>;
  /** Creates an enabled proxy on a free loopback port and returns the port it listens on. */
  proxy(name: string, upstreamPort: number): Promise<number>;
  toxic(proxy: string, body: Record<string, unknown>): Promise<void>;
}

type Hooks = Pick<TestContext, 'after'>;

export async function startHarness(t: Hooks, opts: FaultProxyOptions = {}): Promise<Harness> {
  const fp = await startFaultProxy({ host: '127.0.0.1', port: 0, logLevel: 'disabled', ...opts });
  t.after(() => fp.stop());
  const api: Harness['api'] = async (method, path, body, headers) => {
    const res = await fetch(`${fp.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  const ok = (r: HttpResult, what: string) => {
    if (r.status >= 300) throw new Error(`${what} answered ${r.status}: ${r.text}`);
    return r;
  };
  return {
    fp,
    api,
    async proxy(name, upstreamPort) {
      const r = ok(
        await api('POST', '/proxies', { name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstreamPort}` }),
        'create',
      );
      return Number((JSON.parse(r.text) as { listen: string }).listen.split(':')[1]);
    },
    async toxic(proxy, body) {
      ok(await api('POST', `/proxies/${proxy}/toxics`, body), 'add toxic');
    },
  };
}

export interface Peer {
  port: number;
  /** Server-side sockets, in accept order. */
  sockets: net.Socket[];
  nextSocket(): Promise<net.Socket>;
}

/** A loopback TCP server; `onSocket` decides what it does with each accepted socket. */
export async function peer(t: Hooks, onSocket: (s: net.Socket) => void = () => {}): Promise<Peer> {
  const sockets: net.Socket[] = [];
  const waiting: Array<(s: net.Socket) => void> = [];
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    s.on('error', () => {});
    sockets.push(s);
    onSocket(s);
    waiting.shift()?.(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  let taken = 0;
  return {
    port: (server.address() as net.AddressInfo).port,
    sockets,
    nextSocket: () => {
      const existing = sockets[taken];
      taken += 1;
      return existing ? Promise.resolve(existing) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

/** Echoes every byte back and ends its side when the client ends: a half-close-aware echo. */
export const echo = (t: Hooks) => peer(t, (s) => s.pipe(s));

export function connect(t: Hooks, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true, noDelay: true });
    t.after(() => s.destroy());
    s.once('connect', () => {
      s.off('error', reject);
      s.on('error', () => {});
      resolve(s);
    });
    s.once('error', reject);
  });
}

export interface Received {
  data: Buffer;
  /** Each read: when (performance.now()) and how many bytes. */
  reads: Array<{ at: number; bytes: number }>;
  ended: boolean;
  endedAt?: number;
  error?: NodeJS.ErrnoException;
}

/** Records everything a socket receives; `until` resolves once a condition on the record holds. */
export function record(socket: net.Socket) {
  const got: Received = { data: Buffer.alloc(0), reads: [], ended: false };
  const checks: Array<() => void> = [];
  const changed = () => checks.forEach((c) => c());
  socket.on('data', (d: Buffer) => {
    got.data = Buffer.concat([got.data, d]);
    got.reads.push({ at: performance.now(), bytes: d.length });
    changed();
  });
  socket.on('end', () => {
    got.ended = true;
    got.endedAt = performance.now();
    changed();
  });
  socket.on('error', (err) => {
    got.error = err;
    changed();
  });
  socket.on('close', changed);
  const until = (what: string, holds: (r: Received) => boolean, timeoutMs = 5000): Promise<Received> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
        timeoutMs,
      );
      const check = () => {
        if (!holds(got)) return;
        clearTimeout(timer);
        checks.splice(checks.indexOf(check), 1);
        resolve(got);
      };
      checks.push(check);
      check();
    });
  return {
    got,
    until,
    bytes: (n: number, timeoutMs?: number) => until(`${n} bytes`, (r) => r.data.length >= n, timeoutMs),
    closed: (timeoutMs?: number) =>
      until('the socket to close', () => socket.destroyed || got.ended, timeoutMs),
  };
}

/** The next `n` bytes from the socket; fails if it ends or errors first. */
export function readExactly(socket: net.Socket, n: number, timeoutMs = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const finish = (err?: Error) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', finish);
      if (err) reject(err);
      else resolve(buf);
    };
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= n) finish();
    };
    const onEnd = () => finish(new Error(`the socket ended after ${buf.length} of ${n} bytes`));
    const timer = setTimeout(
      () => finish(new Error(`timed out after ${timeoutMs} ms with ${buf.length} of ${n} bytes`)),
      timeoutMs,
    );
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', finish);
  });
}

/** Time for `message` to travel through an echo and come back on an open socket. */
export async function roundTrip(socket: net.Socket, message = 'ping'): Promise<number> {
  const started = performance.now();
  socket.write(message);
  await readExactly(socket, Buffer.byteLength(message));
  return performance.now() - started;
}

/** A connect attempt's outcome: 'connected' or the error code (ECONNREFUSED...). */
export function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** The common setup: a fault proxy with one proxy "p" in front of `upstream` (an echo by default). */
export async function proxied(t: Hooks, opts: FaultProxyOptions = {}, upstream?: Peer) {
  const h = await startHarness(t, opts);
  const up = upstream ?? (await echo(t));
  const port = await h.proxy('p', up.port);
  return { h, up, port };
}
