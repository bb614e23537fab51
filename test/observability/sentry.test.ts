// Sentry must be initialised before fastify is imported: this file (its own process under the test
// runner) starts the SDK first, then imports fastify dynamically.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CatalystError } from '../../src/domain/errors.js';
import { fastifyRequestIdOptions } from '../../src/observability/request-id.js';
import {
  captureException,
  flushSentry,
  initSentry,
  setupSentryFastify,
} from '../../src/observability/sentry.js';
import { startSentryReceiver, type SentryEvent, type SentryReceiver } from '../support/sentry-receiver.js';
import { waitFor } from '../support/wait.js';

let receiver: SentryReceiver;
let app: import('fastify').FastifyInstance;

before(async () => {
  receiver = await startSentryReceiver();
  assert.equal(await initSentry({ dsn: receiver.dsn, environment: 'test' }), true);
  const { default: Fastify } = await import('fastify');
  app = Fastify({ ...fastifyRequestIdOptions });
  setupSentryFastify(app);
  // What the API's error handler does: protocol errors keep their status, anything else is a 500.
  app.setErrorHandler((err, _request, reply) => {
    if (err instanceof CatalystError) return reply.code(err.status).send(err.toBody());
    return reply.code(500).send({ error: { code: 'internal', message: 'Internal error' } });
  });
  app.get('/boom', async () => {
    throw new Error('boom: a bug');
  });
  app.get('/bad', async () => {
    throw new CatalystError('invalid_request', 'limit must be <= 1000', { field: 'limit' });
  });
  app.get('/store-down', async () => {
    throw new CatalystError('unavailable', 'Dependency store is unavailable (circuit open)', {
      retryAfter: 3,
    });
  });
  await app.ready();
});

after(async () => {
  await app?.close();
  await receiver?.close();
});

const byRequestId = (id: string) => receiver.events.filter((e) => e.tags?.request_id === id);
const message = (e: SentryEvent) => e.exception?.values?.at(-1)?.value;

describe('Sentry', () => {
  it('receives a 500 with its request id and route, and nothing for a 400', async () => {
    const bad = await app.inject({
      url: '/bad',
      headers: { 'x-request-id': 'req-bad-400', authorization: 'Bearer secret-token' },
    });
    assert.equal(bad.statusCode, 400);
    const boom = await app.inject({
      url: '/boom',
      headers: { 'x-request-id': 'req-boom-500', authorization: 'Bearer secret-token' },
    });
    assert.equal(boom.statusCode, 500);

    assert.equal(await flushSentry(5_000), true);
    const [event] = await waitFor(
      () => byRequestId('req-boom-500').length > 0 && byRequestId('req-boom-500'),
      'the 500 to reach Sentry',
    );
    assert.equal(message(event!), 'boom: a bug');
    assert.equal(event!.tags?.route, '/boom');
    assert.equal(event!.tags?.status_code, '500');
    assert.equal(event!.environment, 'test');
    assert.ok(!JSON.stringify(event).includes('secret-token'), 'the bearer token never leaves the process');

    // The 400 was answered before the 500 and everything was flushed: had it been sent, it is here.
    assert.deepEqual(byRequestId('req-bad-400'), []);
    assert.equal(receiver.events.filter((e) => message(e) === 'limit must be <= 1000').length, 0);
    assert.equal(byRequestId('req-boom-500').length, 1, 'reported once (the SDK auto-capture is off)');
  });

  it('reports a 503 (dependency down) as a 5xx', async () => {
    const res = await app.inject({ url: '/store-down', headers: { 'x-request-id': 'req-503' } });
    assert.equal(res.statusCode, 503);
    await flushSentry(5_000);
    const [event] = await waitFor(
      () => byRequestId('req-503').length > 0 && byRequestId('req-503'),
      'the 503 to reach Sentry',
    );
    assert.match(message(event!) ?? '', /store is unavailable/);
  });

  it('captures an error from a WebSocket session with its session id', async () => {
    const id = captureException(new Error('send failed'), { sessionId: 'sess-42' });
    assert.ok(id, 'an event id');
    await flushSentry(5_000);
    const event = await waitFor(
      () => receiver.events.find((e) => e.tags?.session_id === 'sess-42'),
      'the session error',
    );
    assert.equal(message(event), 'send failed');
    assert.equal(event.event_id, id);
  });
});
