// 1,000 concurrent connections push data through a latency toxic for 30 s. Afterwards every connection
// is gone from the proxy, and file descriptors and heap are back at their baseline.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { waitFor } from '../../../test/support/wait.js';
import { startHarness } from './support/harness.js';

const CONNECTIONS = 1000;
const DURATION_MS = 30_000;
const MESSAGE = Buffer.alloc(512, 'x');
const EVERY_MS = 250;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const openFds = () => readdirSync('/proc/self/fd').length;
async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

interface Client {
  socket: net.Socket;
  sent: number;
  received: number;
}

test(
  '1,000 connections through a latency toxic for 30 s leak no descriptor and no memory',
  { timeout: 120_000 },
  async (t) => {
    const h = await startHarness(t);
    const echo = net.createServer((s) => {
      s.on('error', () => {});
      s.pipe(s);
    });
    await new Promise<void>((resolve) => echo.listen({ port: 0, host: '127.0.0.1', backlog: 2048 }, resolve));
    t.after(() => new Promise((resolve) => echo.close(resolve)));
    const port = await h.proxy('load', (echo.address() as net.AddressInfo).port);
    await h.toxic('load', { type: 'latency', attributes: { latency: 20, jitter: 5 } });
    await h.toxic('load', { type: 'latency', stream: 'upstream', attributes: { latency: 5 } });
    const live = async () =>
      (JSON.parse((await h.api('GET', '/proxies/load/connections')).text) as unknown[]).length;

    const fdsBefore = openFds();
    const heapBefore = await settledHeap();
    const rssBefore = process.memoryUsage().rss;

    const clients: Client[] = [];
    for (let batch = 0; batch < CONNECTIONS; batch += 100) {
      const made = await Promise.all(
        Array.from(
          { length: 100 },
          () =>
            new Promise<Client>((resolve, reject) => {
              const socket = net.connect({ host: '127.0.0.1', port });
              const c: Client = { socket, sent: 0, received: 0 };
              socket.once('connect', () => resolve(c));
              socket.once('error', reject);
              socket.on('data', (d: Buffer) => {
                c.received += d.length;
              });
            }),
        ),
      );
      clients.push(...made);
    }
    await waitFor(
      async () => (await live()) === CONNECTIONS,
      `${CONNECTIONS} connections through the proxy`,
      20_000,
    );

    const started = performance.now();
    const timers = clients.map((c, i) =>
      setTimeout(
        () => {
          const tick = () => {
            c.socket.write(MESSAGE);
            c.sent += MESSAGE.length;
          };
          tick();
          timers[i] = setInterval(tick, EVERY_MS);
        },
        Math.floor((i / CONNECTIONS) * EVERY_MS),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, DURATION_MS));
    for (const timer of timers) clearInterval(timer);
    const elapsed = performance.now() - started;

    const sent = clients.reduce((n, c) => n + c.sent, 0);
    const minSent = Math.min(...clients.map((c) => c.sent));
    await waitFor(() => clients.every((c) => c.received === c.sent), 'every byte echoed back', 20_000);
    const peakRss = process.memoryUsage().rss;
    const fdsPeak = openFds();

    for (const c of clients) c.socket.end();
    await waitFor(
      () => clients.every((c) => c.socket.destroyed || c.socket.closed),
      'clients to close',
      20_000,
    );
    await waitFor(async () => (await live()) === 0, 'the proxy to drop every connection', 20_000);
    await waitFor(() => openFds() <= fdsBefore + 2, `descriptors back to ${fdsBefore}`, 10_000).catch(
      () => undefined,
    );
    clients.length = 0;
    const fdsAfter = openFds();
    const heapAfter = await settledHeap();

    t.diagnostic(
      `${(sent / 1e6).toFixed(1)} MB each way in ${(elapsed / 1000).toFixed(1)} s over ${CONNECTIONS} connections`,
    );
    t.diagnostic(`fds: before ${fdsBefore}, with ${CONNECTIONS} connections ${fdsPeak}, after ${fdsAfter}`);
    t.diagnostic(
      `heap used: before ${(heapBefore / 1e6).toFixed(1)} MB, after ${(heapAfter / 1e6).toFixed(1)} MB; rss before ${(rssBefore / 1e6).toFixed(0)} MB, peak ${(peakRss / 1e6).toFixed(0)} MB`,
    );
    // Every connection carried traffic all along; a saturated machine may fire fewer ticks than planned.
    assert.ok(minSent >= MESSAGE.length * 20, `a connection pushed only ${minSent} bytes`);
    assert.ok(fdsPeak >= fdsBefore + 3 * CONNECTIONS, 'the connections were really open at once');
    assert.ok(fdsAfter <= fdsBefore + 2, `fds ${fdsBefore} -> ${fdsAfter}`);
    assert.ok(heapAfter - heapBefore < 8e6, `heap grew by ${((heapAfter - heapBefore) / 1e6).toFixed(1)} MB`);
  },
);
