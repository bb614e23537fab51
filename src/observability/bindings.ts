// Binds the domain's event hooks (publisher, gateway, live feed) to metrics and logs, so the code
// on the signal path knows nothing of prom-client.
import type { GatewayEvents } from '../gateway/context.js';
import type { PipelineEvents } from '../pipeline/item-processor.js';
import type { PublisherEvents } from '../publish/publisher.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

export function publisherTelemetry(metrics: Metrics, log: Logger): PublisherEvents {
  return {
    onStored(created, duplicates) {
      if (created.length > 0) metrics.signalsPublished.inc(created.length);
      if (duplicates > 0) metrics.signalsDuplicate.inc(duplicates);
    },
    onRejected(reason, count) {
      metrics.signalsRejected.inc({ reason }, count);
    },
    onBusError(err) {
      log.warn({ err }, 'bus publish failed; gateways will read the gap from the store');
    },
  };
}

export function gatewayTelemetry(metrics: Metrics, log: Logger): GatewayEvents {
  return {
    onOpened() {
      metrics.wsSessions.inc();
      metrics.wsConnects.inc();
    },
    onClosed(session, code) {
      metrics.wsSessions.dec();
      metrics.wsDisconnects.inc({ code: String(code) });
      log.debug({ session_id: session.id, client_id: session.clientId, code }, 'session closed');
    },
    onMessageSent(type, count) {
      metrics.wsMessagesSent.inc({ type }, count);
    },
    onSlowConsumer(session) {
      metrics.wsSlowConsumerCloses.inc();
      log.info(
        { session_id: session.id, buffered_bytes: session.bufferedBytes },
        'slow consumer closed 4408',
      );
    },
    onReplay(count) {
      metrics.replays.inc({ kind: 'subscribe' });
      metrics.replayedSignals.inc(count);
    },
    onDelivered(signal, count) {
      const committedAt = Date.parse(signal.created_at);
      if (!Number.isFinite(committedAt)) return;
      // One observation per delivery (the SLO counts deliveries), all written at the same moment.
      const seconds = Math.max(0, Date.now() - committedAt) / 1000;
      for (let i = 0; i < count; i++) metrics.publishToSendSeconds.observe(seconds);
    },
  };
}

export function pipelineTelemetry(metrics: Metrics): PipelineEvents {
  return {
    onDecision(stage, decision, _item, reason) {
      metrics.pipelineItems.inc({ stage, decision, reason });
    },
    onLlmCall(outcome) {
      metrics.llmCalls.inc({ outcome });
    },
    onKeywordFallback() {
      metrics.classifierFallback.inc();
    },
    onPublished(ageSeconds) {
      if (Number.isFinite(ageSeconds)) metrics.pipelinePublishLatency.observe(Math.max(0, ageSeconds));
    },
  };
}
