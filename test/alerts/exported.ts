// What Catalyst exports, read from a live /metrics of a real node that has done some work, plus
// the label names prom-client declares for each metric it lists (a labelled metric shows no sample
// until it is first used). Dashboards, rules and runbooks may only name these, the labels
// Prometheus adds to targets, and recorded series.
import { createMetrics } from '../../src/observability/metrics.js';
import { metricsText } from '../ops/support.js';
import { type CatalystNodeProcess, createToken, publish, request, startNode } from '../support/node.js';
import { makeSignal } from '../support/signals.js';
import { WsClient } from '../support/ws-client.js';

/** Metric name (as it appears in PromQL, with _bucket/_count/_sum for histograms) -> label names. */
export type Schema = Map<string, Set<string>>;

/** Labels Prometheus attaches to every scraped series (job and instance; node by relabelling in deploy/prometheus). */
export const TARGET_LABELS = ['job', 'instance', 'node'];

function add(schema: Schema, name: string, type: string, labels: Iterable<string>): void {
  const names = type === 'histogram' ? [`${name}_bucket`, `${name}_count`, `${name}_sum`] : [name];
  for (const n of names) {
    const set = schema.get(n) ?? new Set<string>();
    for (const l of labels) set.add(l);
    if (n.endsWith('_bucket')) set.add('le');
    schema.set(n, set);
  }
}

/** Families and the label names of their samples, from Prometheus text. */
export function parseExposition(text: string): Schema {
  const schema: Schema = new Map();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const t = /^# TYPE (\S+) (\S+)/.exec(line);
    if (t) {
      types.set(t[1]!, t[2]!);
      add(schema, t[1]!, t[2]!, []);
      continue;
    }
    const s = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s/.exec(line);
    if (!s) continue;
    const labels = [...(s[2] ?? '').matchAll(/([a-zA-Z_]\w*)="/g)].map((m) => m[1]!);
    const set = schema.get(s[1]!) ?? new Set<string>();
    for (const l of labels) set.add(l);
    schema.set(s[1]!, set);
  }
  return schema;
}

/** Starts a node, publishes, subscribes and makes a few errors, then reads its /metrics. */
export async function liveSchema(): Promise<{ schema: Schema; text: string }> {
  const node = await startNode(undefined);
  try {
    return await readSchema(node);
  } finally {
    await node.dispose();
  }
}

async function readSchema(node: CatalystNodeProcess): Promise<{ schema: Schema; text: string }> {
  const { token } = await createToken(node, ['publish', 'subscribe']);
  const ws = await WsClient.authed(node.wsUrl, token);
  await ws.subscribe({});
  await publish(node.url, token, makeSignal());
  await ws.waitForSignals(1);
  ws.close();
  await ws.waitClosed();
  await request(node.url, 'POST', '/signals', { token, body: { nonsense: true } });
  await request(node.url, 'GET', '/no-such-route');
  const text = await metricsText(node.url);
  const schema = parseExposition(text);
  // Label names of metrics without samples yet, from the same definitions the node uses.
  const declared = createMetrics({ collectDefault: false });
  for (const m of await declared.registry.getMetricsAsJSON()) {
    const labels =
      (declared.registry.getSingleMetric(m.name) as unknown as { labelNames?: string[] }).labelNames ?? [];
    if (schema.has(m.name) || schema.has(`${m.name}_count`)) add(schema, m.name, String(m.type), labels);
  }
  return { schema, text };
}
