// Prometheus text for /metrics. The byte counters keep Toxiproxy's names and labels but count as bytes
// move, not when a connection closes; connection gauges and process figures are additions.
import { readdirSync } from 'node:fs';
import type { ProxyRegistry } from './registry.js';

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labels = (l: Record<string, string>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${escape(v)}"`)
    .join(',')}}`;

function family(
  name: string,
  type: string,
  help: string,
  samples: Array<[Record<string, string>, number]>,
): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [l, v] of samples) lines.push(`${name}${Object.keys(l).length ? labels(l) : ''} ${v}`);
  return lines.join('\n');
}

function openFds(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

export function renderMetrics(registry: ProxyRegistry): string {
  const proxies = registry.all();
  const byDirection = (kind: 'received' | 'sent') =>
    proxies.flatMap((p) =>
      (['downstream', 'upstream'] as const).map((direction): [Record<string, string>, number] => [
        { direction, listener: p.listen, proxy: p.name, upstream: p.upstream },
        p.totals[direction][kind],
      ]),
    );
  const memory = process.memoryUsage();
  const fds = openFds();
  const parts = [
    family(
      'toxiproxy_proxy_received_bytes_total',
      'counter',
      'The total bytes received from the upstream/downstream',
      byDirection('received'),
    ),
    family(
      'toxiproxy_proxy_sent_bytes_total',
      'counter',
      'The total bytes sent to the upstream/downstream',
      byDirection('sent'),
    ),
    family(
      'faultproxy_proxy_connections',
      'gauge',
      'Connections open through the proxy now',
      proxies.map((p) => [{ proxy: p.name }, p.connectionCount]),
    ),
    family(
      'faultproxy_proxy_accepted_connections_total',
      'counter',
      'Clients accepted by the proxy',
      proxies.map((p) => [{ proxy: p.name }, p.accepted]),
    ),
    family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes', [[{}, memory.rss]]),
    family('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use in bytes', [[{}, memory.heapUsed]]),
  ];
  if (fds !== undefined)
    parts.push(family('process_open_fds', 'gauge', 'Number of open file descriptors', [[{}, fds]]));
  return `${parts.join('\n')}\n`;
}
