// Malformed and slow HTTP: whatever Node's parser rejects, and whatever arrives too slowly, gets the
// protocol's error body and a closed socket within the configured timeouts; a body over the limit
// sent at full speed gets its 413 (read and dropped, never a reset that could swallow the answer).
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { type CatalystNodeProcess, e2e, startNodeWithToken } from '../support/node.js';
import { rawHttp, type RawReply } from '../support/raw-http.js';

const REQUEST_TIMEOUT_MS = 1500;
const HEADERS_TIMEOUT_MS = 1000;
// Node checks the timeouts on an interval (a tenth of the shortest); a loaded machine adds more.
const SLACK_MS = 3000;

describe('e2e: malformed and slow HTTP', () => {
  let node: CatalystNodeProcess;
  let token: string;

  before(async () => {
    ({ node, token } = await startNodeWithToken(undefined, {
      env: {
        CATALYST_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        CATALYST_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      },
    }));
  });

  after(() => node.dispose());

  function assertProtocolError(r: RawReply, status: number, code: string) {
    assert.equal(r.status, status, r.text.slice(0, 300));
    assert.equal(r.body?.error?.code, code, r.text.slice(0, 300));
    assert.equal(typeof r.body.error.message, 'string');
  }

  const post = (extra: string) =>
    `POST /signals HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\n${extra}`;

  e2e('headers over the limit: 431 in the protocol shape', async () => {
    const r = await rawHttp(
      node.url,
      `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(32 * 1024)}\r\n\r\n`,
    );
    assertProtocolError(r, 431, 'headers_too_large');
  });

  for (const [name, head] of [
    ['a garbage request line', 'HELLO THERE\r\n\r\n'],
    ['a bad chunk size', `${post('Transfer-Encoding: chunked\r\n\r\n')}zz\r\nabc\r\n0\r\n\r\n`],
    [
      'Content-Length with Transfer-Encoding',
      `${post('Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n')}0\r\n\r\n`,
    ],
    ['two Content-Lengths', `${post('Content-Length: 2\r\nContent-Length: 3\r\n\r\n')}{}`],
  ] as const) {
    e2e(`${name}: 400 invalid_request in the protocol shape, socket closed`, async () => {
      const r = await rawHttp(node.url, head);
      assertProtocolError(r, 400, 'invalid_request');
      assert.match(
        r.text,
        /\r\nconnection: close\r\n/i,
        'the connection is closed after a malformed request',
      );
    });
  }

  e2e('a slowloris (headers trickled): 408 and closed within the headers timeout', async () => {
    const r = await rawHttp(node.url, 'GET /health/live HTTP/1.1\r\nHost: x\r\n', {
      trickle: { bytes: 'X-a: b\r\n', everyMs: 100 },
      timeoutMs: HEADERS_TIMEOUT_MS + SLACK_MS + 5000,
    });
    assertProtocolError(r, 408, 'request_timeout');
    assert.ok(r.ms < HEADERS_TIMEOUT_MS + SLACK_MS, `closed after ${r.ms} ms`);
  });

  e2e('a body that never finishes: 408 and closed within the request timeout', async () => {
    const r = await rawHttp(node.url, post('Content-Length: 1000\r\n\r\n{"signals":['), {
      trickle: { bytes: ' ', everyMs: 100 },
      timeoutMs: REQUEST_TIMEOUT_MS + SLACK_MS + 5000,
    });
    assertProtocolError(r, 408, 'request_timeout');
    assert.ok(r.ms < REQUEST_TIMEOUT_MS + SLACK_MS, `closed after ${r.ms} ms`);
  });

  e2e('a 5 MiB chunked body at full speed: the 413 arrives, every time', async () => {
    const chunk = Buffer.from(`10000\r\n${'x'.repeat(0x10000)}\r\n`);
    for (let i = 0; i < 5; i++) {
      const r = await rawHttp(node.url, post('Transfer-Encoding: chunked\r\n\r\n'), {
        stream: { chunk, count: 80 },
      });
      assertProtocolError(r, 413, 'payload_too_large');
    }
  });
});
