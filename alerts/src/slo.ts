// Catalyst's service level objectives, and the multiwindow, multi-burn-rate rules generated from
// them (Google SRE workbook, chapter 5; the recording rule names follow Sloth's
// `slo:sli_error:ratio_rate<window>`). Change an objective here, then run
// `node --import tsx alerts/src/generate.ts`; test/alerts checks that the committed files match.
import type { AlertRule, RecordingRule, RuleGroup, Severity } from './model.js';

/** How an SLI counts bad events among all events, as PromQL over a range `[w]`. */
export type Sli =
  /** Bad and total events are counters (or selectors of one counter). */
  | { kind: 'ratio'; errors: string; total: string }
  /** "Slow" is an observation above `thresholdSeconds`, which must be one of the histogram's buckets. */
  | { kind: 'latency'; histogram: string; thresholdSeconds: number; matchers?: string };

export interface Slo {
  /** The `slo` label of every series and alert of this objective. */
  name: string;
  /** The alert name; page and ticket share it, so a critical inhibits its own warning. */
  alert: string;
  /** Share of good events over 30 days, e.g. 0.999. */
  objective: number;
  /** What a good event is, in words, for summaries and runbooks. */
  good: string;
  sli: Sli;
}

export const SLOS: Slo[] = [
  {
    name: 'publish-availability',
    alert: 'CatalystPublishAvailabilityBudgetBurn',
    objective: 0.999,
    good: 'publishes to POST /signals or /signals/batch answered without a 5xx',
    sli: {
      kind: 'ratio',
      errors:
        'catalyst_http_requests_total{method="POST",route=~"/signals|/signals/batch",status_code=~"5.."}',
      total: 'catalyst_http_requests_total{method="POST",route=~"/signals|/signals/batch"}',
    },
  },
  {
    name: 'delivery-latency',
    alert: 'CatalystDeliveryLatencyBudgetBurn',
    objective: 0.99,
    good: 'signals written to a live session within 1 s of their commit',
    sli: { kind: 'latency', histogram: 'catalyst_publish_to_send_seconds', thresholdSeconds: 1 },
  },
];

/** One alerting condition: both windows burn faster than `factor` times the sustainable rate. */
export interface BurnWindow {
  long: string;
  short: string;
  factor: number;
  severity: Exclude<Severity, 'info'>;
  /** For the runbook: what this pair means. */
  meaning: string;
}

export const BURN_WINDOWS: BurnWindow[] = [
  {
    long: '1h',
    short: '5m',
    factor: 14.4,
    severity: 'critical',
    meaning: '2% of the 30-day budget in 1 hour: at this rate it is gone in about 2 days',
  },
  {
    long: '6h',
    short: '30m',
    factor: 6,
    severity: 'critical',
    meaning: '5% of the budget in 6 hours: gone in about 5 days',
  },
  {
    long: '1d',
    short: '2h',
    factor: 3,
    severity: 'warning',
    meaning: '10% of the budget in 1 day: gone in about 10 days',
  },
  {
    long: '3d',
    short: '6h',
    factor: 1,
    severity: 'warning',
    meaning: '10% of the budget in 3 days: gone by the end of the 30-day period',
  },
];

/** Every window the burn alerts read, shortest first. */
export const WINDOWS = [...new Set(BURN_WINDOWS.flatMap((w) => [w.short, w.long]))].sort(
  (a, b) => seconds(a) - seconds(b),
);

export const errorRatioRecord = (window: string) => `slo:sli_error:ratio_rate${window}`;

function seconds(d: string): number {
  const unit = { m: 60, h: 3600, d: 86400 }[d.slice(-1)];
  if (unit === undefined) throw new Error(`window ${d}: use m, h or d`);
  return Number(d.slice(0, -1)) * unit;
}

function errorRatioExpr(sli: Sli, w: string): string {
  if (sli.kind === 'ratio') return `sum(rate(${sli.errors}[${w}]))\n/\nsum(rate(${sli.total}[${w}]))`;
  const m = sli.matchers ? `${sli.matchers},` : '';
  return (
    `1 - (\n  sum(rate(${sli.histogram}_bucket{${m}le="${sli.thresholdSeconds}"}[${w}]))\n` +
    `  /\n  sum(rate(${sli.histogram}_count${sli.matchers ? `{${sli.matchers}}` : ''}[${w}]))\n)`
  );
}

// Rounded so that 14.4 * 0.001 prints as 0.0144, not 0.014400000000000001.
const threshold = (factor: number, objective: number) => Number((factor * (1 - objective)).toPrecision(6));

function burnAlert(slo: Slo, severity: BurnWindow['severity']): AlertRule {
  const pairs = BURN_WINDOWS.filter((w) => w.severity === severity);
  const sel = `{slo="${slo.name}"}`;
  const expr = pairs
    .map(
      (p) =>
        `(\n  ${errorRatioRecord(p.long)}${sel} > ${threshold(p.factor, slo.objective)}\n` +
        `  and\n  ${errorRatioRecord(p.short)}${sel} > ${threshold(p.factor, slo.objective)}\n)`,
    )
    .join('\nor\n');
  const budget = `${Number(((1 - slo.objective) * 100).toPrecision(3))}%`;
  return {
    alert: slo.alert,
    expr,
    for: severity === 'critical' ? '2m' : '15m',
    severity,
    labels: { slo: slo.name },
    summary:
      severity === 'critical'
        ? `Catalyst is burning its ${slo.name} error budget fast enough to exhaust it within days.`
        : `Catalyst is burning its ${slo.name} error budget faster than the 30-day objective allows.`,
    description:
      `The ${slo.name} SLO wants ${slo.objective * 100}% of events good (${slo.good}); ` +
      `{{ $value | humanizePercentage }} were bad over the long window of the pair that fired ` +
      `(${pairs.map((p) => `${p.long}/${p.short} above ${p.factor}x the ${budget} budget`).join(', or ')}).`,
    why:
      `Window pairs ${pairs.map((p) => `${p.long}/${p.short} x${p.factor}`).join(' and ')} (SRE workbook): the long ` +
      `window proves the burn is real, the short one that it is still going on, so the alert resets soon after ` +
      (severity === 'critical'
        ? `a fix. The 2m for: only absorbs a scrape or two; the windows already smooth the signal.`
        : `a fix. The 15m for: keeps a ticket from opening for a burn the next few minutes would end.`),
  };
}

/** The recording and alerting rules of every SLO, one group per SLO. */
export function sloGroups(slos: Slo[] = SLOS): RuleGroup[] {
  return slos.map((slo) => {
    const records: RecordingRule[] = WINDOWS.map((w) => ({
      record: errorRatioRecord(w),
      expr: errorRatioExpr(slo.sli, w),
      labels: { slo: slo.name },
    }));
    records.push({
      record: 'slo:objective:ratio',
      expr: `vector(${slo.objective})`,
      labels: { slo: slo.name },
    });
    return {
      name: `catalyst-slo-${slo.name}`,
      about: `SLO ${slo.name}: ${slo.objective * 100}% of events are ${slo.good}, over 30 days.`,
      rules: [...records, burnAlert(slo, 'critical'), burnAlert(slo, 'warning')],
    };
  });
}
