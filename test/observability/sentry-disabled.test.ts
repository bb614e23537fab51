// Without a DSN, Sentry is off and every helper is a harmless no-op.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import {
  captureException,
  flushSentry,
  initSentry,
  sentryEnabled,
  setupSentryFastify,
} from '../../src/observability/sentry.js';

describe('Sentry without a DSN', () => {
  it('stays off and captures nothing', async () => {
    assert.equal(await initSentry({ dsn: undefined }), false);
    assert.equal(await initSentry({ dsn: '' }), false);
    assert.equal(sentryEnabled(), false);
    const app = Fastify();
    setupSentryFastify(app);
    app.get('/boom', async () => {
      throw new Error('boom');
    });
    assert.equal((await app.inject({ url: '/boom' })).statusCode, 500);
    assert.equal(captureException(new Error('x'), { requestId: 'r' }), undefined);
    assert.equal(await flushSentry(100), true);
    await app.close();
  });
});
