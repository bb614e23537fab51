// Catalyst's three dashboards. Queries filter on the node chosen in the `instance` variable; the
// SLO panels read the recording rules of alerts/catalyst-slo.rules.yml, which are cluster-wide.
import type { DashboardSpec, Query } from './panel.js';

const I = 'instance=~"$instance"';
const rate = (metric: string, matchers = '') =>
  `rate(${metric}{${[I, matchers].filter(Boolean).join(',')}}[$__rate_interval])`;
const p = (q: number, bucket: string, by = '', matchers = '') =>
  `histogram_quantile(${q}, sum by (le${by ? `, ${by}` : ''}) (${rate(bucket, matchers)}))`;

const SLOS = [
  { slo: 'publish-availability', title: 'Publish availability' },
  { slo: 'delivery-latency', title: 'Deliveries within 1 s' },
];

const burn = (window: string): Query[] =>
  SLOS.map(({ slo }) => ({
    expr: `slo:sli_error:ratio_rate${window}{slo="${slo}"} / on (slo) (1 - slo:objective:ratio{slo="${slo}"})`,
    legend: `${slo} ${window}`,
  }));

export const overview: DashboardSpec = {
  uid: 'catalyst-overview',
  title: 'Catalyst overview',
  description: 'SLOs and error budgets, publishing, delivery and sessions. Start here when paged.',
  perInstance: true,
  rows: [
    {
      title: 'Service level objectives',
      panels: [
        ...SLOS.map(({ slo, title }) => ({
          title: `${title} (3 days)`,
          description: `Share of good events over the last 3 days for the ${slo} SLO (objective in alerts/src/slo.ts).`,
          unit: 'percentunit' as const,
          type: 'stat' as const,
          width: 6,
          queries: [{ expr: `1 - slo:sli_error:ratio_rate3d{slo="${slo}"}`, legend: slo }],
        })),
        ...SLOS.map(({ slo, title }) => ({
          title: `${title}: error budget left`,
          description:
            'Share of the 30-day error budget still unspent if the last 3 days were typical: 1 - (3-day error ratio / budget). Below 0 the objective is missed.',
          unit: 'percentunit' as const,
          type: 'stat' as const,
          width: 6,
          queries: [
            {
              expr: `1 - slo:sli_error:ratio_rate3d{slo="${slo}"} / on (slo) (1 - slo:objective:ratio{slo="${slo}"})`,
              legend: slo,
            },
          ],
        })),
        {
          title: 'Burn rate, fast windows',
          description:
            'Error ratio divided by the budget (1 = spending exactly the budget). The page fires when 1h and 5m are both above 14.4, or 6h and 30m above 6.',
          unit: 'none',
          width: 12,
          queries: [...burn('5m'), ...burn('1h'), ...burn('6h')],
        },
        {
          title: 'Burn rate, slow windows',
          description: 'The ticket fires when 1d and 2h are both above 3, or 3d and 6h above 1.',
          unit: 'none',
          width: 12,
          queries: [...burn('2h'), ...burn('1d'), ...burn('3d')],
        },
      ],
    },
    {
      title: 'Publishing',
      panels: [
        {
          title: 'Nodes up',
          description:
            'Catalyst nodes Prometheus can scrape now; fewer than expected means no redundancy (CatalystDown).',
          unit: 'short',
          type: 'stat',
          width: 6,
          queries: [{ expr: 'count(up{job="catalyst"} == 1)', legend: 'up' }],
        },
        {
          title: 'Signals published',
          description: 'Signals newly stored per second (idempotent duplicates not included).',
          unit: 'ops',
          width: 6,
          queries: [
            {
              expr: `sum by (instance) (${rate('catalyst_signals_published_total')})`,
              legend: '{{instance}}',
            },
          ],
        },
        {
          title: 'Publishes refused, by reason',
          description: 'Publishes not stored, by protocol error code; unavailable means the store was down.',
          unit: 'ops',
          width: 6,
          queries: [
            { expr: `sum by (reason) (${rate('catalyst_signals_rejected_total')})`, legend: '{{reason}}' },
          ],
        },
        {
          title: 'HTTP 5xx ratio',
          description: 'Share of all HTTP answers that were 5xx, per node.',
          unit: 'percentunit',
          width: 6,
          queries: [
            {
              expr: `sum by (instance) (${rate('catalyst_http_requests_total', 'status_code=~"5.."')}) / sum by (instance) (${rate('catalyst_http_requests_total')})`,
              legend: '{{instance}}',
            },
          ],
        },
        {
          title: 'HTTP requests by route and status',
          description: 'Answers per second by route pattern and status code.',
          unit: 'reqps',
          width: 12,
          queries: [
            {
              expr: `sum by (route, status_code) (${rate('catalyst_http_requests_total')})`,
              legend: '{{route}} {{status_code}}',
            },
          ],
        },
        {
          title: 'HTTP latency p99 by route',
          description: 'Time from request to response, 99th percentile.',
          unit: 's',
          width: 12,
          queries: [
            { expr: p(0.99, 'catalyst_http_request_duration_seconds_bucket', 'route'), legend: '{{route}}' },
          ],
        },
      ],
    },
    {
      title: 'Delivery',
      panels: [
        {
          title: 'Delivery latency (commit to send)',
          description:
            'Time from the store committing a signal to its frame being written to a live session.',
          unit: 's',
          queries: [
            { expr: p(0.5, 'catalyst_publish_to_send_seconds_bucket'), legend: 'p50' },
            { expr: p(0.99, 'catalyst_publish_to_send_seconds_bucket'), legend: 'p99' },
          ],
        },
        {
          title: 'Messages sent by type',
          description: 'Protocol messages written to sessions per second (signal, heartbeat, ...).',
          unit: 'ops',
          queries: [
            { expr: `sum by (type) (${rate('catalyst_ws_messages_sent_total')})`, legend: '{{type}}' },
          ],
        },
        {
          title: 'Replays by kind',
          description:
            'Replays from the store: subscribe (a resume with since_seq) or gap (a hole the bus left).',
          unit: 'ops',
          queries: [{ expr: `sum by (kind) (${rate('catalyst_replays_total')})`, legend: '{{kind}}' }],
        },
        {
          title: 'WebSocket sessions',
          description: 'Sessions open on each node.',
          unit: 'short',
          queries: [{ expr: `sum by (instance) (catalyst_ws_sessions{${I}})`, legend: '{{instance}}' }],
        },
        {
          title: 'Disconnects by close code',
          description: '1000 normal, 1001 going away, 1006 dropped, 4408 slow consumer, 4429 rate limited.',
          unit: 'ops',
          queries: [{ expr: `sum by (code) (${rate('catalyst_ws_disconnects_total')})`, legend: '{{code}}' }],
        },
        {
          title: 'Send buffers',
          description:
            'Bytes queued for sending across all sessions of a node; slow consumers show here first.',
          unit: 'bytes',
          queries: [
            { expr: `sum by (instance) (catalyst_ws_send_buffer_bytes{${I}})`, legend: '{{instance}}' },
          ],
        },
      ],
    },
  ],
};

export const dependencies: DashboardSpec = {
  uid: 'catalyst-dependencies',
  title: 'Catalyst dependencies',
  description: 'Breakers, calls, latency and fallbacks of every outside dependency, and the rate limiters.',
  perInstance: true,
  rows: [
    {
      title: 'Breakers',
      panels: [
        {
          title: 'Breaker state',
          description: 'Circuit breaker per dependency: closed, half-open (probing) or open (calls refused).',
          unit: 'none',
          type: 'state-timeline',
          width: 24,
          mappings: { '0': 'closed', '1': 'half-open', '2': 'open' },
          queries: [
            {
              expr: `max by (dependency) (catalyst_dependency_breaker_state{${I}})`,
              legend: '{{dependency}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Calls',
      panels: [
        {
          title: 'Calls by dependency and outcome',
          description:
            'Attempts per second; rejected = refused by the open breaker, fallback = answered by the fallback.',
          unit: 'ops',
          queries: [
            {
              expr: `sum by (dependency, outcome) (${rate('catalyst_dependency_calls_total')})`,
              legend: '{{dependency}} {{outcome}}',
            },
          ],
        },
        {
          title: 'Failure ratio by dependency',
          description: 'Share of attempts that failed, timed out or were refused by the breaker.',
          unit: 'percentunit',
          queries: [
            {
              expr: `sum by (dependency) (${rate('catalyst_dependency_calls_total', 'outcome=~"failure|timeout|rejected"')}) / sum by (dependency) (${rate('catalyst_dependency_calls_total')})`,
              legend: '{{dependency}}',
            },
          ],
        },
        {
          title: 'Call latency p99',
          description: 'Duration of attempts that reached the dependency, 99th percentile.',
          unit: 's',
          queries: [
            {
              expr: p(0.99, 'catalyst_dependency_call_duration_seconds_bucket', 'dependency'),
              legend: '{{dependency}}',
            },
          ],
        },
        {
          title: 'Breaker transitions',
          description: 'State changes per dependency and the state entered.',
          unit: 'short',
          queries: [
            {
              expr: `sum by (dependency, to) (increase(catalyst_dependency_breaker_transitions_total{${I}}[$__rate_interval]))`,
              legend: '{{dependency}} to {{to}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Fallbacks and limits',
      panels: [
        {
          title: 'Keyword fallback use',
          description: 'Items classified by keywords because the LLM was absent, open or failing.',
          unit: 'ops',
          queries: [
            {
              expr: `sum by (instance) (${rate('catalyst_classifier_fallback_total')})`,
              legend: '{{instance}}',
            },
          ],
        },
        {
          title: 'LLM calls by outcome',
          description: 'Classification calls to the LLM per second, by outcome.',
          unit: 'ops',
          queries: [
            { expr: `sum by (outcome) (${rate('catalyst_llm_calls_total')})`, legend: '{{outcome}}' },
          ],
        },
        {
          title: 'Market data cache hit ratio',
          description: 'Share of fundamentals lookups answered from the cache.',
          unit: 'percentunit',
          queries: [
            {
              expr: `sum(${rate('catalyst_market_data_cache_total', 'result="hit"')}) / sum(${rate('catalyst_market_data_cache_total')})`,
              legend: 'hit ratio',
            },
          ],
        },
        {
          title: 'Rate limited, by limiter',
          description: 'Requests, connects or messages refused per second by each limiter.',
          unit: 'ops',
          queries: [
            { expr: `sum by (limiter) (${rate('catalyst_rate_limited_total')})`, legend: '{{limiter}}' },
          ],
        },
      ],
    },
  ],
};

export const pipeline: DashboardSpec = {
  uid: 'catalyst-pipeline',
  title: 'Catalyst pipeline',
  description: 'News to signals: the funnel per stage, what is dropped and why, feed freshness.',
  perInstance: true,
  rows: [
    {
      title: 'Funnel',
      panels: [
        {
          title: 'Items kept per stage',
          description: 'Items passed on by each stage per second, fetch to publish: the funnel.',
          unit: 'ops',
          width: 12,
          queries: [
            {
              expr: `sum by (stage) (${rate('catalyst_pipeline_items_total', 'decision="kept"')})`,
              legend: '{{stage}}',
            },
          ],
        },
        {
          title: 'Items dropped, by stage and reason',
          description:
            'dropped (filtered on purpose: no_ticker, duplicate_story, law_firm_promotion, not_catalyst...), stale (too old), failed (an error; the item is retried). GET /admin/pipeline/items?decision=dropped lists them.',
          unit: 'ops',
          width: 12,
          queries: [
            {
              expr: `sum by (stage, decision, reason) (${rate('catalyst_pipeline_items_total', 'decision=~"dropped|stale|failed"')})`,
              legend: '{{stage}} {{decision}}: {{reason}}',
            },
          ],
        },
        {
          title: 'News to stored latency',
          description: "Time from a news item's published_at to its signal being stored.",
          unit: 's',
          width: 12,
          queries: [
            { expr: p(0.5, 'catalyst_pipeline_publish_latency_seconds_bucket'), legend: 'p50' },
            { expr: p(0.99, 'catalyst_pipeline_publish_latency_seconds_bucket'), legend: 'p99' },
          ],
        },
        {
          title: 'Classified by keywords',
          description: 'Share of classified items decided by the keyword fallback instead of the LLM.',
          unit: 'percentunit',
          width: 12,
          queries: [
            {
              expr: `sum(${rate('catalyst_classifier_fallback_total')}) / sum(${rate('catalyst_pipeline_items_total', 'stage="classify"')})`,
              legend: 'fallback share',
            },
          ],
        },
      ],
    },
    {
      title: 'Feeds',
      panels: [
        {
          title: 'Time since last successful poll',
          description:
            'Per feed, from the freshest success on any node (the others hold the lease elsewhere and report 0); CatalystFeedStale fires above one hour.',
          unit: 's',
          width: 12,
          queries: [
            {
              expr: `time() - max by (feed) (catalyst_feed_last_success_timestamp_seconds{${I}})`,
              legend: '{{feed}}',
            },
          ],
        },
        {
          title: 'Polls by feed and outcome',
          description:
            'ok, not_modified (conditional GET hit), error, blocked (403/429), truncated, too_large.',
          unit: 'ops',
          width: 12,
          queries: [
            {
              expr: `sum by (feed, outcome) (${rate('catalyst_feed_polls_total')})`,
              legend: '{{feed}} {{outcome}}',
            },
          ],
        },
      ],
    },
  ],
};

export const DASHBOARDS = { overview, dependencies, pipeline };
