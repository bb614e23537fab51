import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FakeFeeds } from '../../src/demo/fake-feeds.js';
import { FeedHttp, FeedHttpError } from '../../src/deps/feed-http.js';
import type { FeedResponse } from '../../src/pipeline/feed-port.js';
import { parseRetryAfter } from '../../src/pipeline/upstream-error.js';
import { FeedFormatError } from '../../src/pipeline/feeds/format-error.js';
import { parseRss } from '../../src/pipeline/feeds/rss.js';
import { parseSecAtom } from '../../src/pipeline/feeds/sec-atom.js';
import { waitFor } from '../support/wait.js';

const USER_AGENT = 'Catalyst Test admin@catalyst.example';
const deadline = () => AbortSignal.timeout(10_000);
const body = (r: FeedResponse) => {
  assert.equal(r.notModified, false);
  return r.notModified ? '' : r.body;
};

describe('feed HTTP', () => {
  let feeds: FakeFeeds;
  let http: FeedHttp;
  before(async () => {
    feeds = await FakeFeeds.start();
  });
  after(() => feeds.close());
  beforeEach(() => {
    http = new FeedHttp({ userAgent: USER_AGENT, maxBytes: 2 * 1024 * 1024 });
    for (const f of ['sec', 'sec_tickers', 'gnw', 'prn'] as const) feeds.setFault(f, undefined);
  });

  it('sends the configured User-Agent, a browser-like Accept and gzip; decodes the ISO-8859-1 SEC feed', async () => {
    const url = feeds.secUrl({ type: '4' });
    const before = feeds.requests.length;
    const items = parseSecAtom(body(await http.get(url, deadline())), 'sec', { forms: ['4'] });
    const req = feeds.requests.slice(before).find((r) => r.feed === 'sec');
    assert.equal(req?.headers['user-agent'], USER_AGENT);
    assert.match(req?.headers.accept ?? '', /application\/rss\+xml.*application\/atom\+xml/);
    assert.match(req?.headers['accept-encoding'] ?? '', /gzip/);
    const answered = await waitFor(() => req?.answered, 'the answer to end');
    assert.deepEqual([answered.status, answered.gzip], [200, true], 'the server answered gzip');
    assert.deepEqual(
      items.map((i) => i.sec?.parties?.map((p) => p.company)),
      [['Kestrel Quantum Corp', 'Müller Anja K']],
    );
  });

  it('asks conditionally once the body was read, and 304 is notModified', async () => {
    const url = feeds.gnwUrl;
    const first = await http.get(url, deadline());
    assert.equal(first.notModified, false);
    if (first.notModified) return;
    assert.ok(first.validators.etag && first.validators.lastModified);
    // Not remembered yet (say the body failed to parse): the next GET is unconditional.
    assert.equal((await http.get(url, deadline())).notModified, false);
    http.remember(url, first.validators);
    const before = feeds.requests.length;
    assert.deepEqual(await http.get(url, deadline()), { notModified: true, status: 304 });
    const req = feeds.requests.slice(before).find((r) => r.feed === 'gnw');
    assert.equal(req?.headers['if-none-match'], first.validators.etag);
    assert.equal(req?.headers['if-modified-since'], first.validators.lastModified);
    // New news changes the document, so the conditional GET gets it whole.
    feeds.addGnwRelease({
      id: '3190001',
      title: 'Fresh news',
      city: 'NEW YORK',
      body: 'Fresh Co (NYSE: FRSH) said.',
      issuer: 'Fresh Co',
      stocks: ['NYSE:FRSH'],
      subjects: ['Company Announcement'],
      minutesAgo: 0,
    });
    const fresh = parseRss(body(await http.get(url, deadline())), 'gnw', 'globenewswire');
    assert.equal(fresh[0]?.title, 'Fresh news');
  });

  it('an HTML page answered with 200 is a blocked feed, not a body', async () => {
    feeds.setFault('sec', { kind: 'block_200' });
    await assert.rejects(
      http.get(feeds.secUrl({ type: '8-K' }), deadline()),
      (err) => err instanceof FeedFormatError && err.reason === 'blocked' && err.status === 200,
    );
  });

  it('403 is a soft "forbidden" failure naming the block page', async () => {
    feeds.setFault('prn', { kind: 'block_403' });
    await assert.rejects(
      http.get(feeds.prnUrl, deadline()),
      (err) =>
        err instanceof FeedHttpError &&
        err.reason === 'forbidden' &&
        err.status === 403 &&
        err.page === 'Undeclared Automated Tool',
    );
  });

  it('SEC refuses an undeclared User-Agent with its block page', async () => {
    const anonymous = new FeedHttp({ userAgent: 'node', maxBytes: 1024 * 1024 });
    await assert.rejects(
      anonymous.get(feeds.secUrl(), deadline()),
      (err) =>
        err instanceof FeedHttpError &&
        err.reason === 'forbidden' &&
        err.page === 'Undeclared Automated Tool',
    );
  });

  it('429 carries Retry-After; 5xx is a server error', async () => {
    feeds.setFault('gnw', { kind: 'rate_limited', retryAfterSec: 42 });
    await assert.rejects(
      http.get(feeds.gnwUrl, deadline()),
      (err) => err instanceof FeedHttpError && err.reason === 'rate_limited' && err.retryAfterSec === 42,
    );
    feeds.setFault('gnw', { kind: 'server_error', status: 502, times: 1 });
    await assert.rejects(
      http.get(feeds.gnwUrl, deadline()),
      (err) => err instanceof FeedHttpError && err.reason === 'server_error' && err.status === 502,
    );
    assert.equal(
      (await http.get(feeds.gnwUrl, deadline())).notModified,
      false,
      'the fault was for one request',
    );
    assert.equal(parseRetryAfter('120'), 120);
    assert.equal(parseRetryAfter(new Date(Date.now() + 30_000).toUTCString()), 30);
    assert.equal(parseRetryAfter('soon'), undefined);
  });

  it('a truncated document arrives as a body the parser refuses', async () => {
    feeds.setFault('gnw', { kind: 'truncated' });
    const r = await http.get(feeds.gnwUrl, deadline());
    assert.throws(
      () => parseRss(body(r), 'gnw', 'globenewswire'),
      (err) => err instanceof FeedFormatError && err.reason === 'truncated',
    );
  });

  it('a server that never answers is cut by the caller’s signal', async () => {
    feeds.setFault('prn', { kind: 'hang' });
    const started = Date.now();
    await assert.rejects(
      http.get(feeds.prnUrl, AbortSignal.timeout(300)),
      (err) => (err as Error).name === 'TimeoutError',
    );
    assert.ok(Date.now() - started < 5_000);
  });

  for (const gzip of [false, true]) {
    it(`stops a gigantic body${gzip ? ' (gzipped: small on the wire)' : ''} at the size cap with bounded memory`, async () => {
      const cap = 2 * 1024 * 1024;
      const hugeBytes = 200 * 1024 * 1024;
      feeds.setFault('gnw', { kind: 'huge', bytes: hugeBytes, gzip });
      const rssBefore = process.memoryUsage().rss;
      let peak = rssBefore;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
      const before = feeds.requests.length;
      try {
        await assert.rejects(
          http.get(feeds.gnwUrl, deadline()),
          (err) => err instanceof FeedHttpError && err.reason === 'too_large',
        );
      } finally {
        clearInterval(sampler);
      }
      const req = feeds.requests.slice(before).find((r) => r.feed === 'gnw');
      const answered = await waitFor(() => req?.answered, 'the server to see the connection close');
      const growthMb = (peak - rssBefore) / 1024 / 1024;
      console.log(
        `# huge body${gzip ? ' (gzip)' : ''}: the server produced ${(answered.bytes / 1024 / 1024).toFixed(1)} MB of ${hugeBytes / 1024 / 1024} MB before the client hung up; RSS growth ${growthMb.toFixed(1)} MB (cap ${cap / 1024 / 1024} MB)`,
      );
      assert.equal(answered.gzip, gzip);
      assert.ok(answered.bytes < hugeBytes / 4, 'the download was aborted, not drained');
      assert.ok(growthMb < 64, `RSS grew ${growthMb.toFixed(1)} MB`);
    });
  }

  it('a connection that dies mid-body is a truncated feed', async () => {
    feeds.setFault('prn', { kind: 'cut' });
    await assert.rejects(
      http.get(feeds.prnUrl, deadline()),
      (err) => err instanceof FeedFormatError && err.reason === 'truncated',
    );
  });
});
