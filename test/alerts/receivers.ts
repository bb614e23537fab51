// The outside services Alertmanager notifies, played on loopback in their real formats: PagerDuty's
// Events API v2 (POST /v2/enqueue, answered 202 as PagerDuty does), a ticket bridge and a dead
// man's switch (Alertmanager's webhook JSON). Every request is recorded for the test to inspect.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key: string;
  payload?: { summary: string; severity: string; source: string; custom_details?: Record<string, unknown> };
  links?: Array<{ href: string; text: string }>;
}

export interface WebhookMessage {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string> }>;
  commonLabels: Record<string, string>;
}

export interface Receivers {
  url: string;
  pagerduty: PagerDutyEvent[];
  tickets: WebhookMessage[];
  deadmans: WebhookMessage[];
  /** Authorization headers seen per path, to prove the secret files were read. */
  authorization: Map<string, string>;
  close(): Promise<void>;
}

export async function startReceivers(): Promise<Receivers> {
  const r = { pagerduty: [], tickets: [], deadmans: [], authorization: new Map() } as unknown as Receivers;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      const path = req.url ?? '';
      if (req.headers.authorization) r.authorization.set(path, req.headers.authorization);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"status":"invalid event"}');
        return;
      }
      if (req.method === 'POST' && path === '/v2/enqueue') {
        const e = parsed as PagerDutyEvent;
        r.pagerduty.push(e);
        res
          .writeHead(202, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: e.dedup_key }));
      } else if (req.method === 'POST' && (path === '/tickets' || path === '/deadmans')) {
        (path === '/tickets' ? r.tickets : r.deadmans).push(parsed as WebhookMessage);
        res.writeHead(200).end();
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  r.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return r;
}
