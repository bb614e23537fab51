// Inhibition and grouping in the real Alertmanager running alerts/alertmanager.yml: a page silences
// the ticket of the same alert for the same thing, a dead node silences its node's tickets, and
// everything else still makes its ticket. Alerts are posted to Alertmanager's API as Prometheus would.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '../support/wait.js';
import { startReceivers, type WebhookMessage } from './receivers.js';
import { startAlertmanager } from './stack.js';

type Labels = Record<string, string>;

const ALERTS: Record<string, Labels> = {
  storeBreakerPage: {
    alertname: 'CatalystBreakerOpen',
    severity: 'critical',
    instance: 'n1',
    dependency: 'store',
  },
  storeBreakerTicket: {
    alertname: 'CatalystBreakerOpen',
    severity: 'warning',
    instance: 'n1',
    dependency: 'store',
  },
  llmBreakerTicket: {
    alertname: 'CatalystBreakerOpen',
    severity: 'warning',
    instance: 'n1',
    dependency: 'llm',
  },
  nodeDown: { alertname: 'CatalystDown', severity: 'critical', instance: 'n2' },
  busTicketOnDeadNode: { alertname: 'CatalystBusDegraded', severity: 'warning', instance: 'n2' },
  busTicket: { alertname: 'CatalystBusDegraded', severity: 'warning', instance: 'n1' },
};

const SUPPRESSED = ['storeBreakerTicket', 'busTicketOnDeadNode'];

const same = (a: Labels, b: Labels) => Object.entries(a).every(([k, v]) => b[k] === v);

describe('alertmanager inhibition', () => {
  it(
    'a critical silences its own warning and a dead node its tickets; other warnings still make tickets',
    { timeout: 60_000 },
    async (t) => {
      const receivers = await startReceivers();
      t.after(() => receivers.close());
      const am = await startAlertmanager(t, receivers, 'R0UT1NGKEYOFTHETESTONLY0000000000');
      if (!am) return;
      const endsAt = new Date(Date.now() + 10 * 60_000).toISOString();
      const res = await fetch(`${am.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(
          Object.entries(ALERTS).map(([name, labels]) => ({
            labels,
            annotations: { summary: `${name}.` },
            endsAt,
          })),
        ),
      });
      assert.equal(res.status, 200, await res.text());

      const states = await waitFor(
        async () => {
          const list = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as Array<{
            labels: Labels;
            status: { state: string; inhibitedBy: string[] };
          }>;
          const byName = Object.fromEntries(
            Object.entries(ALERTS).map(([name, labels]) => [
              name,
              list.find((a) => same(labels, a.labels))?.status,
            ]),
          );
          return Object.values(byName).every((s) => s !== undefined) &&
            SUPPRESSED.every((n) => byName[n]?.state === 'suppressed')
            ? byName
            : undefined;
        },
        'Alertmanager to evaluate inhibition',
        20_000,
        100,
      );
      for (const [name, s] of Object.entries(states)) {
        if (SUPPRESSED.includes(name)) assert.ok(s!.inhibitedBy.length > 0, `${name} should be inhibited`);
        else assert.equal(s!.state, 'active', `${name} should not be inhibited`);
      }

      // A group's notification carries exactly its uninhibited alerts.
      const ticketOf = (alertname: string) =>
        waitFor(
          () => receivers.tickets.find((m: WebhookMessage) => m.commonLabels.alertname === alertname),
          `the ${alertname} ticket`,
          20_000,
          100,
        );
      const names = (m: WebhookMessage) =>
        m.alerts.map((a) => Object.keys(ALERTS).find((n) => same(ALERTS[n]!, a.labels))).sort();
      assert.deepEqual(names(await ticketOf('CatalystBreakerOpen')), ['llmBreakerTicket']);
      assert.deepEqual(names(await ticketOf('CatalystBusDegraded')), ['busTicket']);
      await waitFor(
        () => receivers.pagerduty.length >= 2,
        'two pages (store breaker, node down)',
        20_000,
        100,
      );
      assert.deepEqual(receivers.pagerduty.map((e) => e.payload?.summary).sort(), [
        'nodeDown.',
        'storeBreakerPage.',
      ]);
    },
  );
});
