// Publish-to-deliver timing for cluster tests: a publisher that records when each id was sent and
// acknowledged, and an arrival clock on a WsClient's socket (same process, same clock).
import type { SignalInput } from '../../../src/domain/signal.js';
import { publish, type Reply, request } from '../../support/node.js';
import type { WsClient } from '../../support/ws-client.js';

/** Records when each signal first reached `client` (keyed by id), for latency figures. */
export function arrivalClock(client: WsClient): Map<string, number> {
  const arrived = new Map<string, number>();
  client.ws.on('message', (data) => {
    const now = Date.now();
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString());
    } catch {
      return;
    }
    for (const m of (Array.isArray(parsed) ? parsed : [parsed]) as Array<{
      type?: string;
      signal?: { id?: string };
    }>) {
      const id = m.type === 'signal' ? m.signal?.id : undefined;
      if (id !== undefined && !arrived.has(id)) arrived.set(id, now);
    }
  });
  return arrived;
}

export interface Sent {
  id: string;
  sentAt: number;
  seq: number;
  status: number;
}

/** Percentile (nearest rank) of an unsorted list. */
export function percentile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const v = [...values].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))] as number;
}

/** GET /health/ready of a node. */
export function readiness(
  url: string,
): Promise<
  Reply<{ status: string; dependencies: Record<string, { state: string; breaker: string; error?: string }> }>
> {
  return request(url, 'GET', '/health/ready');
}

/** Publishes one signal and records its timing; throws on a non-2xx answer. */
export async function timedPublish(url: string, token: string, s: SignalInput): Promise<Sent> {
  const sentAt = Date.now();
  const r = await publish(url, token, s);
  return { id: r.id, sentAt, seq: r.seq, status: r.status };
}
