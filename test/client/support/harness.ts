// Builds a client against a FakeCatalyst with reconnect delays short enough for tests, records what
// it emits, and tears both down after the test.
import type { TestContext } from 'node:test';
import {
  CatalystClient,
  type CatalystClientError,
  type CatalystClientOptions,
  type DisconnectedEvent,
  type ResetEvent,
} from '../../../src/client/index.js';
import type { Signal } from '../../../src/domain/signal.js';
import { FakeCatalyst, type FakeServerOptions } from './fake-server.js';

export interface Recorded {
  signals: Signal[];
  disconnected: DisconnectedEvent[];
  resets: ResetEvent[];
  errors: CatalystClientError[];
  subscribed: number;
}

export function record(client: CatalystClient): Recorded {
  const r: Recorded = { signals: [], disconnected: [], resets: [], errors: [], subscribed: 0 };
  client.on('signal', (s) => r.signals.push(s));
  client.on('disconnected', (e) => r.disconnected.push(e));
  client.on('reset', (e) => r.resets.push(e));
  client.on('error', (e) => r.errors.push(e));
  client.on('subscribed', () => r.subscribed++);
  return r;
}

export async function setup(
  t: TestContext,
  serverOpts: FakeServerOptions = {},
  clientOpts: Partial<CatalystClientOptions> = {},
): Promise<{ server: FakeCatalyst; client: CatalystClient; seen: Recorded }> {
  const server = await FakeCatalyst.start(serverOpts);
  const client = new CatalystClient({
    url: server.url,
    token: server.token,
    reconnect: { minDelayMs: 5, maxDelayMs: 20, throttledMinDelayMs: 20 },
    ...clientOpts,
  });
  const seen = record(client);
  t.after(async () => {
    await client.close();
    await server.close();
  });
  return { server, client, seen };
}

export const seqs = (signals: Signal[]): number[] => signals.map((s) => s.seq);
export const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);
