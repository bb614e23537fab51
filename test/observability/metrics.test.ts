import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { createMetrics, type Metrics } from '../../src/observability/metrics.js';
import { createRateLimits, DEFAULT_RATE_LIMITS } from '../../src/resilience/rate-limits.js';
import { DependencyRegistry } from '../../src/resilience/registry.js';
import { captureLogs } from '../support/log-capture.js';
import { requireBinary } from '../support/servers.js';

/** Touches every metric, so each appears in the exposition with real labels. */
async function exercise(m: Metrics) {
  m.httpRequests.inc({ method: 'GET', route: '/signals', status_code: '200' });
  m.httpDuration.observe({ method: 'GET', route: '/signals', status_code: '200' }, 0.004);
  m.signalsPublished.inc();
  m.signalsDuplicate.inc();
  m.signalsRejected.inc({ reason: 'invalid_request' });
  m.wsSessions.set(3);
  m.wsConnects.inc();
  m.wsDisconnects.inc({ code: '4408' });
  m.wsMessagesSent.inc({ type: 'signal' }, 5);
  m.wsSendBufferBytes.set(1024);
  m.wsSlowConsumerCloses.inc();
  m.publishToSendSeconds.observe(0.012);
  m.replays.inc({ kind: 'subscribe' });
  m.replayedSignals.inc(40);
  const registry = new DependencyRegistry({ metrics: m, logger: captureLogs().logger });
  await registry.get('store').call(async () => 'ok');
  await registry
    .get('llm')
    .call(async () => Promise.reject(new Error('down')))
    .catch(() => {});
  registry.shutdown();
  const limits = createRateLimits(
    { ...DEFAULT_RATE_LIMITS, restReadsPerToken: { points: 1, durationSec: 1 } },
    { keyPrefix: 't:', metrics: m, logger: captureLogs().logger },
  );
  await limits.restReadsPerToken.consume('tok');
  await limits.restReadsPerToken.consume('tok');
}

function promtool(bin: string, text: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile(bin, ['check', 'metrics'], (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
    child.stdin!.end(text);
  });
}

describe('metrics', () => {
  it('/metrics output passes promtool check metrics', async (t) => {
    const bin = await requireBinary(t, 'promtool');
    if (!bin) return;
    const m = createMetrics();
    await exercise(m);
    const text = await m.metricsText();
    const { code, output } = await promtool(bin, text);
    assert.equal(output.trim(), '', `promtool found problems:\n${output}`);
    assert.equal(code, 0);
  });

  it('promtool would catch a badly named metric (the check above is real)', async (t) => {
    const bin = await requireBinary(t, 'promtool');
    if (!bin) return;
    const { code, output } = await promtool(
      bin,
      '# HELP catalyst_requests Requests.\n# TYPE catalyst_requests counter\ncatalyst_requests 1\n',
    );
    assert.notEqual(code, 0);
    assert.match(output, /_total/);
  });

  it('exports every metric of the issue under catalyst_, with default process metrics unprefixed', async () => {
    const m = createMetrics();
    await exercise(m);
    const text = await m.metricsText();
    for (const series of [
      'catalyst_http_requests_total{method="GET",route="/signals",status_code="200"} 1',
      'catalyst_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/signals",status_code="200"} 1',
      'catalyst_signals_published_total 1',
      'catalyst_signals_duplicate_total 1',
      'catalyst_signals_rejected_total{reason="invalid_request"} 1',
      'catalyst_ws_sessions 3',
      'catalyst_ws_connects_total 1',
      'catalyst_ws_disconnects_total{code="4408"} 1',
      'catalyst_ws_messages_sent_total{type="signal"} 5',
      'catalyst_ws_send_buffer_bytes 1024',
      'catalyst_ws_slow_consumer_closes_total 1',
      'catalyst_publish_to_send_seconds_count 1',
      'catalyst_replays_total{kind="subscribe"} 1',
      'catalyst_replayed_signals_total 40',
      'catalyst_rate_limited_total{limiter="rest_reads_per_token"} 1',
      'catalyst_dependency_calls_total{dependency="store",outcome="success"} 1',
      'catalyst_dependency_calls_total{dependency="llm",outcome="failure"} 1',
      'catalyst_dependency_calls_total{dependency="llm",outcome="timeout"} 0',
      'catalyst_dependency_call_duration_seconds_count{dependency="store",outcome="success"} 1',
      'catalyst_dependency_breaker_state{dependency="store"} 0',
    ]) {
      assert.ok(text.includes(series), `missing: ${series}`);
    }
    assert.match(text, /^# TYPE catalyst_dependency_breaker_transitions_total counter$/m);
    assert.match(text, /^process_cpu_seconds_total /m);
    assert.match(text, /^nodejs_eventloop_lag_seconds /m);
    assert.match(m.contentType, /^text\/plain/);
  });

  it('gives each instance its own registry, so many can live in one process', async () => {
    const a = createMetrics({ collectDefault: false });
    const b = createMetrics({ collectDefault: false, prefix: 'other_' });
    a.signalsPublished.inc(2);
    assert.match(await a.metricsText(), /^catalyst_signals_published_total 2$/m);
    assert.doesNotMatch(await b.metricsText(), /catalyst_|process_cpu/);
    assert.match(await b.metricsText(), /^other_signals_published_total 0$/m);
  });
});
