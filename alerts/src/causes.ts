// Alerts on causes: a dependency, a node, a feed or a job that is failing before (or without) an SLO
// burning. Only a store outage and a dead node page; everything else makes a ticket, because
// Catalyst degrades gracefully there (the bus loses latency, never signals; the LLM falls back to
// keywords) and a human can act in working hours.
import type { AlertRule, RuleGroup } from './model.js';

// Every per-node alert keeps the target's labels, so a page names the node.
const BY_NODE = 'job, instance, node';

const availability: AlertRule[] = [
  {
    alert: 'CatalystDown',
    expr: 'up{job="catalyst"} == 0',
    for: '2m',
    severity: 'critical',
    summary: 'A Catalyst node is down.',
    description:
      'Prometheus has not been able to scrape Catalyst node {{ $labels.instance }} for more than 2 minutes.',
    why: '2m = eight missed 15 s scrapes: a restart or a slow start does not page, a dead node does.',
  },
  {
    alert: 'CatalystStoreUnavailable',
    expr:
      `sum by (${BY_NODE}) (rate(catalyst_dependency_calls_total{dependency="store",outcome=~"failure|timeout|rejected"}[2m]))\n` +
      `/\nsum by (${BY_NODE}) (rate(catalyst_dependency_calls_total{dependency="store"}[2m]))\n> 0.5`,
    for: '1m',
    severity: 'critical',
    summary: 'The event store is failing most calls from a Catalyst node.',
    description:
      '{{ $value | humanizePercentage }} of event store calls from {{ $labels.instance }} failed, timed out ' +
      'or were refused by the open breaker over the last 2 minutes. Publishes answer 503 and nothing new is stored.',
    why:
      'The store is the source of truth: with it down nothing can be published. More than half of the calls ' +
      'failing for 1m (on top of the 2m rate window) rules out one slow query or a failover blip.',
  },
  {
    alert: 'CatalystBreakerOpen',
    expr: 'min_over_time(catalyst_dependency_breaker_state{dependency="store"}[1m]) > 0',
    for: '1m',
    severity: 'critical',
    summary: 'The event store circuit breaker has not closed for minutes.',
    description:
      'The breaker of dependency {{ $labels.dependency }} on {{ $labels.instance }} has been open or ' +
      'half-open at every scrape for more than 2 minutes: its probes keep failing.',
    why:
      'The store breaker half-opens every 5 s; min_over_time over 1m is only above 0 when it never closed ' +
      'in that minute, and the for: makes that 2 minutes without one successful probe.',
  },
  {
    alert: 'CatalystBreakerOpen',
    expr: 'min_over_time(catalyst_dependency_breaker_state{dependency!="store"}[5m]) > 0',
    for: '10m',
    severity: 'warning',
    summary: 'A dependency circuit breaker has not closed for a quarter of an hour.',
    description:
      'The breaker of dependency {{ $labels.dependency }} on {{ $labels.instance }} has been open or ' +
      'half-open at every scrape for more than 15 minutes; Catalyst is running on its fallback.',
    why:
      'Outside the store every dependency has a fallback (bus: store reads; rate-limit Redis: in-memory ' +
      'limits; LLM: keywords; market data: cached or neutral scores; a feed: the others), so a ticket is ' +
      'enough. Feed breakers half-open every 60 s; 5m window + 10m for = 15 minutes without recovery.',
  },
];

const delivery: AlertRule[] = [
  {
    alert: 'CatalystBusDegraded',
    expr:
      `sum by (${BY_NODE}) (rate(catalyst_dependency_calls_total{dependency="bus",outcome!="success"}[5m]))\n` +
      `/\nsum by (${BY_NODE}) (rate(catalyst_dependency_calls_total{dependency="bus"}[5m]))\n> 0.05\n` +
      `or\nsum by (${BY_NODE}) (rate(catalyst_replays_total{kind="gap"}[5m])) > 0.1`,
    for: '10m',
    severity: 'warning',
    summary: 'The signal bus is failing or losing messages.',
    description:
      'On {{ $labels.instance }} more than 5% of bus calls fail, or gateways read more than one gap ' +
      'every 10 s from the store. Signals still arrive, read from the store, but later.',
    why:
      'Losing the bus costs latency, never signals (gateways repair gaps from the store), so this is a ' +
      'ticket; 10m ignores a Redis failover.',
  },
  {
    alert: 'CatalystSlowConsumerCloses',
    expr: `sum by (${BY_NODE}) (increase(catalyst_ws_slow_consumer_closes_total[10m])) > 10`,
    for: '10m',
    severity: 'warning',
    summary: 'Catalyst keeps closing subscribers that cannot keep up.',
    description:
      '{{ $labels.instance }} closed {{ $value | humanize }} sessions with 4408 (slow consumer) in the last 10 minutes.',
    why:
      'One slow client closed now and then is the design working; more than 10 per 10 minutes for 10 minutes ' +
      'means a client (or the network to it) is stuck in a close-and-resume loop.',
  },
  {
    alert: 'CatalystDisconnectStorm',
    expr:
      `sum by (${BY_NODE}) (increase(catalyst_ws_disconnects_total{code!~"1000|1001"}[5m]))\n` +
      `> clamp_min(0.25 * sum by (${BY_NODE}) (catalyst_ws_sessions), 50)`,
    for: '5m',
    severity: 'warning',
    summary: 'WebSocket sessions are being dropped in a storm.',
    description:
      '{{ $labels.instance }} saw {{ $value | humanize }} abnormal WebSocket closes in 5 minutes, more ' +
      'than a quarter of its open sessions.',
    why:
      'Normal (1000) and going-away (1001, deploys) closes are excluded. A quarter of the sessions, and at ' +
      'least 50, per 5 minutes for 5 minutes is a reconnect storm, not client churn.',
  },
  {
    alert: 'CatalystRateLimitingSurge',
    expr: `sum by (${BY_NODE}, limiter) (rate(catalyst_rate_limited_total[5m])) > 1`,
    for: '10m',
    severity: 'warning',
    summary: 'A Catalyst rate limiter is refusing requests at a sustained rate.',
    description:
      'Limiter {{ $labels.limiter }} on {{ $labels.instance }} refuses {{ $value | printf "%.1f" }} requests per second.',
    why:
      'A client bursting past its limit is normal and handled with 429s. More than one refusal per second ' +
      'for 10 minutes is a misbehaving client or a limit too low for real traffic.',
  },
];

const pipeline: AlertRule[] = [
  {
    alert: 'CatalystFeedStale',
    // One pipeline node polls a feed at a time (a lease); the others report 0 for it. The freshest
    // success across nodes is the feed's.
    expr: 'time() - max by (job, feed) (catalyst_feed_last_success_timestamp_seconds) > 3600',
    for: '10m',
    severity: 'warning',
    summary: 'A news feed has not been polled successfully for over an hour.',
    description:
      'Feed {{ $labels.feed }} last succeeded {{ $value | humanizeDuration }} ago on any pipeline node.',
    why:
      'Feeds are polled every few minutes and one failed poll is retried; an hour without success is a ' +
      'feed that moved, blocks us or is down, and signals from it are being missed.',
  },
  {
    alert: 'CatalystLlmFallbackInUse',
    expr: `sum by (${BY_NODE}) (rate(catalyst_classifier_fallback_total[10m])) > 0`,
    for: '15m',
    severity: 'warning',
    summary: 'News is being classified by keywords because the LLM is unavailable.',
    description:
      '{{ $labels.instance }} classified {{ $value | printf "%.2f" }} items per second by keywords over the last 10 minutes.',
    why:
      'The keyword fallback keeps signals flowing with lower precision; 15 minutes of it is a provider outage ' +
      'or a broken key, not one slow call.',
  },
];

const jobs: AlertRule[] = [
  {
    alert: 'CatalystBackupStale',
    expr: 'time() - catalyst_backup_last_success_timestamp_seconds > 26 * 3600',
    for: '30m',
    severity: 'warning',
    summary: 'The last successful Catalyst backup is more than 26 hours old.',
    description:
      // A node that never completed one exports 0, and time() - 0 read as "56 years ago".
      '{{ if gt $value 1e9 }}{{ $labels.instance }} has no successful backup on record.{{ else }}The last good backup reported by {{ $labels.instance }} finished {{ $value | humanizeDuration }} ago.{{ end }}',
    why: 'Backups run daily; 26 hours leaves room for one slow run before a ticket.',
  },
  {
    alert: 'CatalystRestoreDrillStale',
    expr: 'time() - catalyst_restore_drill_last_success_timestamp_seconds > 8 * 86400',
    for: '1h',
    severity: 'warning',
    summary: 'No restore drill has succeeded for over a week.',
    description:
      '{{ if gt $value 1e9 }}{{ $labels.instance }} has no successful restore drill on record.{{ else }}The last good restore drill reported by {{ $labels.instance }} finished {{ $value | humanizeDuration }} ago.{{ end }}',
    why: 'Drills run weekly; a backup that was never restored is not known to work.',
  },
];

const meta: AlertRule[] = [
  {
    alert: 'CatalystWatchdog',
    expr: 'vector(1)',
    severity: 'info',
    summary: 'The alerting pipeline is alive.',
    description:
      "This alert always fires. If the dead man's switch stops receiving it, Prometheus or Alertmanager is down or cannot notify.",
    why: "Always firing on purpose: the dead man's switch pages when it STOPS arriving.",
  },
];

export const CAUSE_GROUPS: RuleGroup[] = [
  { name: 'catalyst-availability', about: 'Nodes and the event store: these page.', rules: availability },
  { name: 'catalyst-delivery', about: 'The bus and WebSocket delivery.', rules: delivery },
  { name: 'catalyst-pipeline', about: 'News feeds and the classifier.', rules: pipeline },
  { name: 'catalyst-jobs', about: 'Backups and restore drills.', rules: jobs },
  { name: 'catalyst-meta', about: 'The alerting path itself.', rules: meta },
];
