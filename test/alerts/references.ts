// Holds a PromQL expression against what Catalyst exports: every metric, label and (for labels
// with a fixed set of values) every value it names must exist, so a panel or rule cannot silently
// show "no data" because of a misspelt name (the old `status` for `status_code`).
import { BREAKER_STATE_VALUE, DEPENDENCY_OUTCOMES } from '../../src/observability/metrics.js';
import { POLL_OUTCOMES } from '../../src/pipeline/feed-poller.js';
import { LLM_OUTCOMES } from '../../src/pipeline/item-processor.js';
import { DECISIONS, STAGES } from '../../src/pipeline/ledger.js';
import { LIMITER_LABELS } from '../../src/resilience/rate-limits.js';
import { type Schema, TARGET_LABELS } from './exported.js';
import { analyse } from './promql.js';

/** Series that are not Catalyst's but that operations queries legitimately read. */
const OUTSIDE: Record<string, string[]> = {
  up: [],
  ALERTS: ['alertname', 'alertstate', 'severity', 'slo', 'dependency', 'feed', 'limiter'],
  prometheus_notifications_dropped_total: [],
};

const DEPENDENCIES = ['store', 'bus', 'redis', 'llm', 'market_data', 'feed:*'];

/** Labels whose values are a closed set: what a matcher may compare them with. */
const VALUES: Record<string, string[]> = {
  'catalyst_dependency_calls_total/outcome': [...DEPENDENCY_OUTCOMES],
  'catalyst_dependency_call_duration_seconds_bucket/outcome': [...DEPENDENCY_OUTCOMES],
  '*/dependency': DEPENDENCIES,
  'catalyst_dependency_breaker_transitions_total/to': Object.keys(BREAKER_STATE_VALUE),
  'catalyst_rate_limited_total/limiter': Object.values(LIMITER_LABELS),
  'catalyst_replays_total/kind': ['subscribe', 'gap'],
  'catalyst_http_requests_total/method': ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS'],
  'catalyst_pipeline_items_total/stage': [...STAGES],
  'catalyst_pipeline_items_total/decision': [...DECISIONS],
  'catalyst_feed_polls_total/outcome': [...POLL_OUTCOMES],
  'catalyst_llm_calls_total/outcome': [...LLM_OUTCOMES],
  'catalyst_market_data_cache_total/result': ['hit', 'miss', 'error'],
};

function allowedValues(metric: string, label: string): string[] | undefined {
  return VALUES[`${metric}/${label}`] ?? VALUES[`*/${label}`];
}

function valueOk(value: string, allowed: string[]): boolean {
  return allowed.some((a) => (a.endsWith('*') ? value.startsWith(a.slice(0, -1)) : value === a));
}

/** The literal alternatives of a regex matcher (`a|b|c`), or undefined when it is a real pattern. */
function alternatives(re: string): string[] | undefined {
  const parts = re.split('|');
  if (parts.every((p) => /^[\w:./-]+$/.test(p))) return parts;
  if (parts.every((p) => /^[\w:]+(\.\*)?$/.test(p))) return parts.map((p) => p.replace(/\.\*$/, '*'));
  return undefined;
}

/**
 * Problems with one expression: it does not parse, or names a metric, label or value Catalyst does
 * not export. `recorded` maps recording rule names to the labels they carry.
 */
export function checkExpression(
  where: string,
  expr: string,
  schema: Schema,
  recorded: Map<string, Set<string>>,
): string[] {
  const refs = analyse(expr);
  if (refs.error) return [`${where}: ${refs.error}`];
  const problems: string[] = [];
  const labelsInScope = new Set<string>([...TARGET_LABELS, 'le']);
  for (const sel of refs.selectors) {
    const known =
      schema.get(sel.metric) ??
      recorded.get(sel.metric) ??
      (OUTSIDE[sel.metric] ? new Set(OUTSIDE[sel.metric]) : undefined);
    if (!known) {
      problems.push(`${where}: metric ${sel.metric || '(none)'} is not exported by Catalyst`);
      continue;
    }
    for (const l of known) labelsInScope.add(l);
    for (const m of sel.matchers) {
      if (m.label.startsWith('$') || TARGET_LABELS.includes(m.label)) continue;
      if (!known.has(m.label)) {
        problems.push(
          `${where}: ${sel.metric} has no label "${m.label}" (it has ${[...known].join(', ') || 'none'})`,
        );
        continue;
      }
      const allowed = allowedValues(sel.metric, m.label);
      if (!allowed || m.value.includes('$')) continue;
      const values = m.op === '=' || m.op === '!=' ? [m.value] : alternatives(m.value);
      for (const v of values ?? [])
        if (v !== '' && !valueOk(v, allowed))
          problems.push(
            `${where}: ${sel.metric}{${m.label}${m.op}"${m.value}"}: "${v}" is not one of ${allowed.join(', ')}`,
          );
    }
  }
  for (const g of refs.grouping)
    if (!labelsInScope.has(g)) problems.push(`${where}: groups by "${g}", which none of its metrics carries`);
  return problems;
}
