// `catalyst status`: what an on-call runs first. The node's readiness, every dependency's breaker,
// recent refusals (rate limits, rejected publishes, slow consumers) from its metrics, and the alerts
// firing in Alertmanager with their runbook links. Reads the public and admin API only.
import type { Command } from '../cli.js';
import { loadConfig } from '../config.js';
import { DEFAULT_RUNBOOK_BASE_URL, runbookUrl } from '../observability/runbooks.js';
import { CLIENT_FLAGS, serverUrl, token } from './endpoint.js';
import { UsageError } from './usage-error.js';

interface Snapshot {
  state: string;
  counts: Record<string, number>;
  last_error: { message: string; at: string } | null;
  last_latency_ms: number | null;
}

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  status?: { state?: string };
}

/**
 * The alerts a dependency whose breaker is not closed raises (alerts/src/causes.ts), so the node
 * itself can point at the runbooks when Alertmanager is not configured or not reachable.
 */
export function alertsOfDependency(name: string): string[] {
  const cause: Record<string, string> = {
    store: 'CatalystStoreUnavailable',
    bus: 'CatalystBusDegraded',
    llm: 'CatalystLlmFallbackInUse',
  };
  const own = cause[name] ?? (name.startsWith('feed:') ? 'CatalystFeedStale' : undefined);
  return [...(own ? [own] : []), 'CatalystBreakerOpen'];
}

/** Sums of the counters an on-call looks at first, by their label, from Prometheus text. */
function refusals(metrics: string): string[] {
  const wanted: Record<string, string> = {
    catalyst_rate_limited_total: 'limiter',
    catalyst_signals_rejected_total: 'reason',
    catalyst_ws_slow_consumer_closes_total: '',
    catalyst_ws_disconnects_total: 'code',
  };
  const out: string[] = [];
  for (const line of metrics.split('\n')) {
    const m = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || !(m[1]! in wanted) || Number(m[3]) === 0) continue;
    const label = wanted[m[1]!];
    const value = label ? new RegExp(`${label}="([^"]*)"`).exec(m[2] ?? '')?.[1] : undefined;
    out.push(`${m[1]}${value ? `{${label}=${value}}` : ''} ${m[3]}`);
  }
  return out;
}

const NODE_HINT = 'is the node running, and is --server right?';

async function get(url: string, auth?: string, hint = NODE_HINT): Promise<{ status: number; body: unknown }> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: auth ? { authorization: `Bearer ${auth}` } : {},
      signal: AbortSignal.timeout(5000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? cause?.message ?? (err as Error).name;
    throw new UsageError(`cannot reach ${new URL(url).origin} (${code}): ${hint}`);
  }
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

export const statusCommand: Command = {
  summary: "the node's readiness, breakers, recent refusals and firing alerts",
  usage: `Usage: catalyst status [--server URL] [--token TOKEN] [--alertmanager URL] [--json]

Prints the node's readiness (GET /health/ready), every dependency's breaker with its last error
(GET /admin/dependencies, needs an admin token), what it has refused since start (rate limits,
rejected publishes, slow consumers, closes by code; from /metrics, or from the ops port given by
--metrics-port or CATALYST_METRICS_PORT), and, with --alertmanager URL or ALERTMANAGER_URL, the
alerts firing for Catalyst with their runbook links. Whatever the node itself sees failing (a
breaker not closed) is listed with its alerts' runbooks, under CATALYST_RUNBOOK_BASE_URL (default
${DEFAULT_RUNBOOK_BASE_URL}).
Exit code 0 when the node is ready, 1 when it is not, 2 when it cannot be reached or the token is
not an admin token.`,
  options: { ...CLIENT_FLAGS, alertmanager: { type: 'string' }, json: { type: 'boolean' } },
  async run(flags) {
    const config = loadConfig(flags);
    const base = serverUrl(config, flags);
    const ready = await get(`${base}/health/ready`);
    const deps = await get(`${base}/admin/dependencies`, token(flags));
    if (deps.status === 401 || deps.status === 403)
      throw new UsageError('/admin/dependencies needs an admin token (--token or CATALYST_TOKEN)');
    // With an ops port (CATALYST_METRICS_PORT, as in the compose stack) /metrics is only served there.
    const metricsUrl = config.metricsPort
      ? `http://${new URL(base).hostname}:${config.metricsPort}/metrics`
      : `${base}/metrics`;
    const metrics = await get(
      metricsUrl,
      undefined,
      'is --metrics-port (CATALYST_METRICS_PORT) right?',
    ).catch((err: Error) => ({ status: 0, body: err.message }));
    const amUrl = (flags.alertmanager as string | undefined) ?? process.env.ALERTMANAGER_URL;
    let alerts: AmAlert[] | string | undefined;
    if (amUrl) {
      try {
        const r = await get(
          `${amUrl.replace(/\/+$/, '')}/api/v2/alerts?active=true&silenced=false&inhibited=false`,
          undefined,
          'is Alertmanager running, and is --alertmanager (or ALERTMANAGER_URL) right?',
        );
        alerts = Array.isArray(r.body)
          ? (r.body as AmAlert[]).filter((a) => a.labels.alertname?.startsWith('Catalyst'))
          : `Alertmanager answered ${r.status}`;
      } catch (err) {
        alerts = (err as Error).message;
      }
    }
    const readiness = ready.body as {
      status?: string;
      dependencies?: Record<string, { state: string; error?: string }>;
    };
    const snapshots = ((deps.body as { dependencies?: Record<string, Snapshot> }).dependencies ??
      {}) as Record<string, Snapshot>;
    const refused =
      metrics.status === 200 && typeof metrics.body === 'string'
        ? refusals(metrics.body)
        : `unknown: ${metrics.status ? `${metricsUrl} answered ${metrics.status}` : metrics.body}`;
    const runbookBase = process.env.CATALYST_RUNBOOK_BASE_URL || DEFAULT_RUNBOOK_BASE_URL;
    const failing = Object.entries(snapshots)
      .filter(([, s]) => s.state !== 'closed')
      .map(([name, s]) => ({
        dependency: name,
        state: s.state,
        runbooks: alertsOfDependency(name).map((a) => runbookUrl(runbookBase, a)),
      }));
    if (flags.json) {
      process.stdout.write(
        `${JSON.stringify({ server: base, readiness, dependencies: snapshots, failing, refused, alerts })}\n`,
      );
    } else {
      const lines = [`node ${base}: ${readiness.status ?? `HTTP ${ready.status}`}`, '', 'dependencies:'];
      for (const [name, s] of Object.entries(snapshots)) {
        const err = s.state !== 'closed' && s.last_error ? `  last error: ${s.last_error.message}` : '';
        const failures = (s.counts.failure ?? 0) + (s.counts.timeout ?? 0);
        const latency = s.last_latency_ms === null ? '-' : Number(s.last_latency_ms.toPrecision(2));
        lines.push(
          `  ${name.padEnd(28)} ${s.state.padEnd(9)} latency ${latency} ms, failures ${failures}, rejected ${s.counts.rejected ?? 0}${err}`,
        );
      }
      lines.push(
        '',
        'refused since start:',
        ...(typeof refused === 'string'
          ? [`  ${refused}`]
          : refused.length
            ? refused.map((r) => `  ${r}`)
            : ['  nothing']),
        '',
        'failing on this node (runbooks):',
        ...(failing.length
          ? failing.flatMap((f) => [`  ${f.dependency} ${f.state}`, ...f.runbooks.map((u) => `    ${u}`)])
          : ['  nothing']),
      );
      if (amUrl) {
        lines.push('', `alerts firing (${amUrl}):`);
        if (typeof alerts === 'string') lines.push(`  unknown: ${alerts}`);
        else if (!alerts || alerts.length === 0) lines.push('  none');
        else
          for (const a of alerts)
            lines.push(
              `  ${a.labels.alertname} [${a.labels.severity ?? '?'}] ${a.annotations.summary ?? ''}`,
              `    runbook: ${a.annotations.runbook_url ?? '(none)'}`,
            );
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return ready.status === 200 ? 0 : 1;
  },
};
