import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { sessionLogger } from '../../src/observability/logger.js';
import {
  echoRequestId,
  fastifyRequestIdOptions,
  genReqId,
  REQUEST_ID_HEADER,
} from '../../src/observability/request-id.js';
import { captureLogs } from '../support/log-capture.js';

describe('request ids', () => {
  it('keeps a sane incoming x-request-id and replaces anything else with a short random id', () => {
    assert.equal(genReqId({ headers: { 'x-request-id': 'abc-123_DEF.4:5' } }), 'abc-123_DEF.4:5');
    for (const bad of ['', 'has space', 'new\nline', '{"json":1}', 'x'.repeat(129)]) {
      const id = genReqId({ headers: { 'x-request-id': bad } });
      assert.notEqual(id, bad);
      assert.match(id, /^[A-Za-z0-9_-]{12}$/);
    }
    const a = genReqId({ headers: {} });
    assert.notEqual(a, genReqId({ headers: {} }), 'fresh ids differ');
  });
});

describe('logger', () => {
  it('puts the request id on every line of a request, echoes it, and never logs a token', async () => {
    const { logger, lines } = captureLogs('info');
    const app = Fastify({ loggerInstance: logger, ...fastifyRequestIdOptions });
    echoRequestId(app);
    app.get('/signals', async (request) => {
      request.log.info({ token: 'tok-secret' }, 'reading signals');
      request.log.warn('slow store');
      return { signals: [] };
    });
    const res = await app.inject({
      url: '/signals',
      headers: { 'x-request-id': 'req-77', authorization: 'Bearer tok-secret' },
    });
    assert.equal(res.headers[REQUEST_ID_HEADER], 'req-77');
    const generated = await app.inject({ url: '/signals' });
    const genId = generated.headers[REQUEST_ID_HEADER] as string;
    await app.close();

    const ofRequest = lines().filter((l) => l.request_id === 'req-77');
    assert.ok(ofRequest.length >= 4, 'incoming, two route lines, completed');
    assert.deepEqual(
      ofRequest.map((l) => l.msg),
      ['incoming request', 'reading signals', 'slow store', 'request completed'],
    );
    assert.ok(lines().some((l) => l.request_id === genId && l.msg === 'request completed'));
    assert.ok(
      lines()
        .filter((l) => l.req || l.res)
        .every((l) => typeof l.request_id === 'string'),
      'every request line has an id',
    );
    assert.ok(!JSON.stringify(lines()).includes('tok-secret'), 'tokens are redacted');
    const first = ofRequest[0]!;
    assert.equal(first.level, 'info', 'level names, not numbers');
    assert.equal(first.service, 'catalyst');
    assert.ok(!Number.isNaN(Date.parse(first.time)), 'ISO timestamps');
  });

  it('puts the session id on every line of a WebSocket session', () => {
    const { logger, lines } = captureLogs();
    const log = sessionLogger(logger, 'sess-9', { client_id: 'bot-1' });
    log.info('subscribed');
    log.child({ seq: 4 }).debug('sent');
    assert.deepEqual(
      lines().map((l) => [l.session_id, l.client_id, l.msg]),
      [
        ['sess-9', 'bot-1', 'subscribed'],
        ['sess-9', 'bot-1', 'sent'],
      ],
    );
  });
});
