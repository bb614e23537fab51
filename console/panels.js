// The polled panels: breaker board, sessions and rates, pipeline, tokens. Each renders loading,
// empty, error (keeping the last good view) and content states.
// @ts-check
import { ApiError, call } from './api.js';
import { ago, h, panel, table } from './dom.js';

/** @param {unknown} err */
const reason = (err) =>
  err instanceof ApiError
    ? err.status === 0
      ? 'The node does not answer; retrying.'
      : `${err.message} (${err.status} ${err.code}); retrying.`
    : String(err);

/** Failures within the last minute, from the counts seen at each poll. */
const failureHistory = /** @type {Map<string, Array<{ at: number, n: number }>>} */ (new Map());

/** @param {string} name @param {Record<string, number>} counts */
function recentFailures(name, counts) {
  const n = (counts.failure ?? 0) + (counts.timeout ?? 0) + (counts.rejected ?? 0);
  const now = Date.now();
  let list = (failureHistory.get(name) ?? []).filter((x) => now - x.at <= 60_000);
  // Counts that went down are a restarted node's: all of its failures are recent.
  if (list.some((x) => x.n > n)) list = [{ at: now, n: 0 }];
  list.push({ at: now, n });
  failureHistory.set(name, list);
  return n - /** @type {{ n: number }} */ (list[0]).n;
}

/** @param {Record<string, any>} policy */
function policyText(policy) {
  const b = policy.breaker ?? {};
  const parts = [`timeout ${policy.timeout_ms} ms`];
  parts.push(`opens at ${b.error_threshold_percentage}% of ≥${b.volume_threshold} calls`);
  parts.push(`half-opens after ${b.reset_timeout_ms} ms`);
  if (policy.retry) parts.push(`${policy.retry.attempts} attempts`);
  if (policy.limiter) parts.push('rate limited');
  return parts.join(' · ');
}

/**
 * @param {() => void} onRecovered called when every breaker is closed again after one was not, so
 *   panels that failed meanwhile refresh now rather than contradict the board until their next turn
 */
export function breakerBoard(onRecovered) {
  const p = panel('deps');
  let wasOpen = false;
  return async () => {
    try {
      const { dependencies } = await call('GET', '/admin/dependencies');
      const deps = Object.values(dependencies ?? {});
      const open = deps.some((d) => d.state !== 'closed');
      if (wasOpen && !open) onRecovered();
      wasOpen = open;
      if (deps.length === 0) return p.empty('No dependencies used yet.');
      p.show(
        h(
          'div',
          { class: 'breakers' },
          ...deps.map((d) =>
            h(
              'article',
              { class: 'breaker', 'data-name': d.name, 'data-state': d.state },
              h(
                'header',
                null,
                h('strong', null, d.name),
                h('span', { class: 'badge' }, d.state.replace('_', '-')),
              ),
              h(
                'dl',
                null,
                h('dt', null, 'latency'),
                h('dd', null, d.last_latency_ms === null ? '—' : `${Math.round(d.last_latency_ms)} ms`),
                h('dt', null, 'failures, last minute'),
                h('dd', null, recentFailures(d.name, d.counts)),
                h('dt', null, 'calls'),
                h(
                  'dd',
                  null,
                  Object.entries(d.counts)
                    .filter(([, n]) => n > 0)
                    .map(([k, n]) => `${k} ${n}`)
                    .join(' · ') || 'none',
                ),
                h('dt', null, 'last error'),
                h('dd', null, d.last_error ? `${d.last_error.message} (${ago(d.last_error.at)})` : '—'),
              ),
              h('p', { class: 'muted policy' }, policyText(d.policy)),
            ),
          ),
        ),
      );
    } catch (err) {
      p.fail(reason(err));
    }
  };
}

/** @param {string} text @returns {Map<string, number>} sums by metric name */
function parseMetrics(text) {
  const sums = new Map();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || line.startsWith('#')) continue;
    sums.set(m[1], (sums.get(m[1]) ?? 0) + Number(m[2]));
  }
  return sums;
}

const GAUGES = [
  ['catalyst_ws_sessions', 'sessions open'],
  ['catalyst_ws_send_buffer_bytes', 'bytes waiting to be sent'],
];
const COUNTERS = [
  ['catalyst_signals_published_total', 'signals stored'],
  ['catalyst_signals_rejected_total', 'publishes refused'],
  ['catalyst_ws_messages_sent_total', 'messages sent'],
  ['catalyst_ws_connects_total', 'connects'],
  ['catalyst_ws_disconnects_total', 'disconnects'],
  ['catalyst_ws_slow_consumer_closes_total', 'slow consumers closed'],
  ['catalyst_http_requests_total', 'HTTP requests'],
  ['catalyst_rate_limited_total', 'rate limited'],
];

export function ratesPanel() {
  const p = panel('rates');
  /** @type {{ at: number, sums: Map<string, number> } | null} */
  let previous = null;
  /** The last rate shown per metric. */
  const shown = new Map();
  return async () => {
    let text;
    try {
      text = await call('GET', '/metrics');
    } catch (err) {
      if (err instanceof ApiError && err.status === 404)
        return p.empty('This node serves /metrics on its ops port only (CATALYST_METRICS_PORT).');
      return p.fail(reason(err));
    }
    const sums = parseMetrics(String(text));
    const now = Date.now();
    const rate = (/** @type {string} */ name) => {
      const dt = previous ? (now - previous.at) / 1000 : 0;
      // Rates over less than a second (a poll right after a reconnect) are noise: keep the last.
      if (!previous || dt < 1) return shown.get(name) ?? '…';
      const total = sums.get(name) ?? 0;
      const delta = total - (previous.sums.get(name) ?? 0);
      // A counter that went down was reset (the node restarted): all of it is new.
      const r = (delta < 0 ? total : delta) / dt;
      const text = `${r < 10 ? r.toFixed(1) : Math.round(r)}/s`;
      shown.set(name, text);
      return text;
    };
    p.show(
      h(
        'div',
        { class: 'stats' },
        ...GAUGES.map(([name, label]) =>
          h(
            'div',
            { class: 'stat', 'data-metric': name },
            h('b', null, sums.get(name) ?? 0),
            h('span', null, label),
          ),
        ),
      ),
      table(['', 'rate', 'total'], COUNTERS, ([name, label]) => [label, rate(name), sums.get(name) ?? 0]),
    );
    if (!previous || now - previous.at >= 1000) previous = { at: now, sums };
  };
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A value as a table cell: times as their age (freshness at a glance), objects as JSON. @param {any} v */
const cell = (v) => {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string' && ISO_TIME.test(v)) return ago(v);
  return typeof v === 'object' ? JSON.stringify(v) : v;
};

const STAGE_ORDER = ['fetch', 'normalize', 'dedup', 'enrich', 'prescale', 'classify', 'score', 'publish'];
/** @param {[string, unknown]} a @param {[string, unknown]} b */
const byPipelineOrder = (a, b) => STAGE_ORDER.indexOf(a[0]) - STAGE_ORDER.indexOf(b[0]);

/** Feeds, the funnel of decisions per stage, and recent drops with their reasons. */
export function pipelinePanel() {
  const p = panel('pipeline');
  return async () => {
    try {
      const feeds = await call('GET', '/admin/pipeline/feeds');
      let drops = [];
      try {
        const items = await call('GET', '/admin/pipeline/items?decision=dropped&limit=50');
        drops = items?.items ?? [];
      } catch {}
      const list = feeds?.feeds ?? [];
      const parts = [];
      parts.push(h('h3', null, 'Feeds'));
      parts.push(
        list.length === 0
          ? h('p', { class: 'empty' }, 'No feeds configured (CATALYST_FEEDS).')
          : table(
              ['feed', 'kind', 'last poll', 'last success', 'last error', 'new items', 'polled by'],
              list,
              (f) => [
                f.name,
                f.kind,
                f.last_poll_at ? ago(f.last_poll_at) : 'never',
                f.last_success_at ? ago(f.last_success_at) : 'never',
                f.last_error ? `${f.last_error.message} (${ago(f.last_error.at)})` : '',
                cell(f.new_items ?? 0),
                f.polled_by ?? '',
              ],
            ),
      );
      // The funnel: per stage, how many items it decided, by decision ({stage, decision, items} rows).
      const rows = Array.isArray(feeds?.funnel) ? feeds.funnel : [];
      if (rows.length > 0) {
        parts.push(h('h3', null, 'Funnel'));
        const decisions = ['kept', 'dropped', 'stale', 'failed', 'waiting'];
        /** @type {Map<string, Record<string, number>>} */
        const byStage = new Map();
        for (const r of rows) {
          const counts = byStage.get(r.stage) ?? {};
          counts[r.decision] = (counts[r.decision] ?? 0) + Number(r.items);
          byStage.set(r.stage, counts);
        }
        const total = (/** @type {Record<string, number>} */ c) =>
          Object.values(c).reduce((a, b) => a + b, 0);
        const top = Math.max(1, ...[...byStage.values()].map(total));
        parts.push(
          table(['stage', ...decisions, ''], [...byStage.entries()].sort(byPipelineOrder), ([stage, c]) => [
            stage,
            ...decisions.map((d) => cell(c[d] ?? 0)),
            h('progress', { max: String(top), value: String(total(c)) }),
          ]),
        );
      }
      parts.push(h('h3', null, 'Recent drops'));
      parts.push(
        drops.length === 0
          ? h('p', { class: 'empty' }, 'No drops.')
          : table(['when', 'feed', 'stage', 'reason', 'tickers', 'title', 'detail'], drops, (d) => [
              ago(d.decided_at),
              d.feed,
              d.stage,
              d.reason,
              (d.tickers ?? []).join(', '),
              d.title,
              d.detail ?? '',
            ]),
      );
      p.show(...parts);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return p.empty('Pipeline not running on this node.');
      p.fail(reason(err));
    }
  };
}

/** @param {(name: string) => Promise<void>} revoke */
export function tokensPanel(revoke) {
  const p = panel('tokens');
  const refresh = async () => {
    try {
      const { tokens } = await call('GET', '/admin/tokens');
      if (tokens.length === 0) return p.empty('No tokens.');
      p.show(
        table(['name', 'scopes', 'created', 'state', ''], tokens, (t) => {
          const button = h('button', { type: 'button', class: 'danger', 'data-revoke': t.name }, 'Revoke');
          button.addEventListener('click', () => void revoke(t.name));
          return [
            t.name,
            t.scopes.join(', '),
            ago(t.created_at),
            t.revoked_at ? `revoked ${ago(t.revoked_at)}` : 'active',
            t.revoked_at ? null : button,
          ];
        }),
      );
    } catch (err) {
      p.fail(reason(err));
    }
  };
  return { refresh, fail: (/** @type {unknown} */ err) => p.fail(reason(err)) };
}
