import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { observeHttp } from '../../src/observability/http-metrics.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { metricValue } from '../support/metric-values.js';

describe('HTTP metrics', () => {
  it('counts requests by route pattern and status, with durations, and folds unknown URLs into one series', async (t) => {
    const metrics = createMetrics({ collectDefault: false });
    const app = Fastify();
    t.after(() => app.close());
    observeHttp(app, metrics);
    app.get('/signals/:seq', async (req, reply) =>
      (req.params as { seq: string }).seq === '0' ? reply.code(404).send({}) : { seq: 1 },
    );
    await app.inject({ url: '/signals/1' });
    await app.inject({ url: '/signals/2' });
    await app.inject({ url: '/signals/0' });
    await app.inject({ url: '/wp-admin/x.php' });
    await app.inject({ url: '/.env' });
    const v = (labels: Record<string, string>) =>
      metricValue(metrics.registry, 'catalyst_http_requests_total', labels);
    assert.equal(await v({ route: '/signals/:seq', status_code: '200', method: 'GET' }), 2);
    assert.equal(await v({ route: '/signals/:seq', status_code: '404' }), 1);
    assert.equal(await v({ route: 'unmatched', status_code: '404' }), 2);
    const text = await metrics.metricsText();
    assert.match(
      text,
      /catalyst_http_request_duration_seconds_count\{method="GET",route="\/signals\/:seq",status_code="200"\} 2/,
    );
    assert.doesNotMatch(text, /wp-admin|\.env/);
  });
});
