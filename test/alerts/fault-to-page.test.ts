// From a real fault to a real page: a Catalyst node whose PostgreSQL sits behind the fault proxy,
// scraped by a real Prometheus running Catalyst's rules (durations shortened), which notifies a
// real Alertmanager running Catalyst's routing, which calls loopback receivers speaking
// PagerDuty's Events API v2 and Alertmanager's webhook format.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { describe } from 'node:test';
import { nodeBehindProxy } from '../ops/support.js';
import { e2e, request } from '../support/node.js';
import { requirePostgres } from '../support/servers.js';
import { makeSignal } from '../support/signals.js';
import { waitFor } from '../support/wait.js';
import { DEFAULT_RUNBOOK_BASE_URL } from '../../src/observability/runbooks.js';
import { startReceivers } from './receivers.js';
import { startAlertingStack } from './stack.js';
import { loadRules } from './support.js';

const ROUTING_KEY = 'R0UT1NGKEYOFTHETESTONLY0000000000';
const { alerts } = loadRules();
const rule = (name: string, severity: string) => {
  const a = alerts.find((x) => x.alert === name && x.labels.severity === severity);
  assert.ok(a, `no ${severity} rule ${name}`);
  return a;
};

/** Calls `fn` again and again, `everyMs` apart, until stopped; failures are the point, so ignored. */
function repeatedly(t: TestContext, fn: () => Promise<unknown>, everyMs: number): () => Promise<void> {
  let running = true;
  const done = (async () => {
    while (running) {
      await fn().catch(() => undefined);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  const stop = async () => {
    running = false;
    await done;
  };
  t.after(stop);
  return stop;
}

describe('fault to page', () => {
  e2e(
    'the store made unreachable pages PagerDuty with severity, summary and runbook, and its recovery resolves it; warnings make tickets; the watchdog reaches its switch',
    async (t) => {
      if (!(await requirePostgres(t))) return;
      const receivers = await startReceivers();
      t.after(() => receivers.close());
      // Reads are limited to one per hour per token, so reading is how this test makes a warning.
      const { proxy, token, node } = await nodeBehindProxy(t, ['publish', 'subscribe'], {
        CATALYST_RATE_REST_READS_PER_TOKEN: '1/1h',
      });
      const stack = await startAlertingStack(t, new URL(node.url).host, receivers, ROUTING_KEY);
      if (!stack) return;
      try {
        // The dead man's switch hears the watchdog, and nothing else does.
        await waitFor(
          () =>
            receivers.deadmans.find((m) => m.alerts.some((a) => a.labels.alertname === 'CatalystWatchdog')),
          'the watchdog at the dead man switch',
          60_000,
          100,
        );
        assert.equal(receivers.authorization.get('/deadmans'), 'Bearer token-of-deadmans-switch');

        // A warning: a client hammering past its read limit.
        const surge = rule('CatalystRateLimitingSurge', 'warning');
        const stopReads = repeatedly(t, () => request(node.url, 'GET', '/signals', { token }), 100);
        const ticket = await waitFor(
          () =>
            receivers.tickets.find(
              (m) => m.status === 'firing' && m.commonLabels.alertname === 'CatalystRateLimitingSurge',
            ),
          'CatalystRateLimitingSurge at the ticket webhook',
          90_000,
          100,
        );
        await stopReads();
        assert.equal(ticket.commonLabels.severity, 'warning');
        assert.equal(ticket.alerts[0]?.labels.limiter, 'rest_reads_per_token');
        assert.equal(
          ticket.alerts[0]?.annotations.runbook_url,
          `${DEFAULT_RUNBOOK_BASE_URL}/CatalystRateLimitingSurge.md`,
        );
        assert.equal(receivers.authorization.get('/tickets'), 'Bearer token-of-tickets');

        // The fault: PostgreSQL unreachable while publishers keep trying.
        const down = rule('CatalystStoreUnavailable', 'critical');
        await proxy.setEnabled(false);
        const stopPublishing = repeatedly(
          t,
          () => request(node.url, 'POST', '/signals', { token, body: makeSignal() }),
          100,
        );
        const trigger = await waitFor(
          () =>
            receivers.pagerduty.find(
              (e) => e.event_action === 'trigger' && e.payload?.summary === down.annotations.summary,
            ),
          'the CatalystStoreUnavailable trigger at PagerDuty',
          90_000,
          100,
        );
        assert.equal(trigger.routing_key, ROUTING_KEY);
        assert.equal(trigger.payload?.severity, 'critical');
        assert.deepEqual(trigger.links, [
          { href: `${DEFAULT_RUNBOOK_BASE_URL}/CatalystStoreUnavailable.md`, text: 'Runbook' },
        ]);
        assert.match(
          String(trigger.payload?.custom_details?.firing),
          /event store calls from 127\.0\.0\.1:\d+ failed/,
        );

        // Recovery resolves the same incident.
        await proxy.setEnabled(true);
        await waitFor(
          () =>
            receivers.pagerduty.find(
              (e) => e.event_action === 'resolve' && e.dedup_key === trigger.dedup_key,
            ),
          'the CatalystStoreUnavailable resolve at PagerDuty',
          90_000,
          100,
        );
        await stopPublishing();

        // Only critical alerts ever reached PagerDuty: never the warning, never the watchdog.
        const critical = new Set(
          alerts.filter((a) => a.labels.severity === 'critical').map((a) => a.annotations.summary),
        );
        const paged = receivers.pagerduty.map((e) => e.payload?.summary ?? '');
        assert.deepEqual(
          paged.filter((s) => !critical.has(s)),
          [],
          'PagerDuty got a non-critical alert',
        );
        assert.ok(!paged.includes(surge.annotations.summary ?? ''));
      } catch (err) {
        process.stderr.write(`--- Prometheus and Alertmanager logs ---\n${stack.logs()}\n---\n`);
        throw err;
      }
    },
    { timeout: 300_000 },
  );
});
