import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeFeeds } from '../../src/demo/fake-feeds.js';
import { parseRss } from '../../src/pipeline/feeds/rss.js';
import { parseSecAtom } from '../../src/pipeline/feeds/sec-atom.js';
import { parseSecTickers } from '../../src/pipeline/feeds/sec-tickers.js';

const UA = 'Catalyst Test admin@catalyst.example';
const get = async (url: string, headers: Record<string, string> = {}) => {
  const res = await fetch(url, { headers: { 'user-agent': UA, ...headers } });
  return { status: res.status, text: await res.text(), headers: res.headers };
};

describe('fake feed server', () => {
  let feeds: FakeFeeds;
  before(async () => {
    feeds = await FakeFeeds.start();
  });
  after(() => feeds.close());

  const forms = async (q: Parameters<FakeFeeds['secUrl']>[0]) =>
    parseSecAtom((await get(feeds.secUrl(q))).text, 'sec').map((i) => i.sec?.form);

  it('serves getcurrent with `type` as a prefix match, `count` and `owner`', async () => {
    assert.deepEqual(await forms({ type: '4' }), ['4', '424B5', '424B2']);
    assert.deepEqual(await forms({ type: '4', owner: 'exclude' }), ['424B5', '424B2']);
    assert.deepEqual(await forms({ owner: 'only' }), ['4']);
    assert.deepEqual(await forms({ type: 'sc 13' }), ['SC 13G/A']);
    // count limits entries, and a Form 4 is two entries (Reporting + Issuer).
    const two = (await get(feeds.secUrl({ count: 2 }))).text;
    assert.equal(two.match(/<entry>/g)?.length, 2);
  });

  it('serves company_tickers.json', async () => {
    const map = parseSecTickers((await get(feeds.secTickersUrl)).text);
    assert.equal(map.get('0001987001'), 'NBTX');
  });

  it('makes news appear at run time', async () => {
    const at = new Date();
    feeds.addPrnRelease({
      id: '302699999',
      title: 'Late Breaking Co Announces Merger',
      city: 'DALLAS',
      body: 'Late Breaking Co (NYSE: LBC) agreed to merge.',
      issuer: 'Late Breaking Co',
      subjects: ['ACQ'],
      minutesAgo: 0,
    });
    feeds.addSecFiling({
      form: '8-K',
      accession: '0009999999-26-000001',
      parties: [{ company: 'Late Breaking Co', cik: '0001999999', role: 'Filer' }],
      sizeKb: 20,
      items: ['Item 1.01: Entry into a Material Definitive Agreement'],
      minutesAgo: 0,
    });
    const prn = parseRss((await get(feeds.prnUrl)).text, 'prn', 'prnewswire');
    assert.equal(prn[0]?.title, 'Late Breaking Co Announces Merger');
    assert.ok(Date.parse(prn[0]?.published ?? '') >= Math.floor(at.getTime() / 1000) * 1000 - 1000);
    assert.equal(
      parseSecAtom((await get(feeds.secUrl({ type: '8-K' }))).text, 'sec')[0]?.guid,
      '0009999999-26-000001',
    );
  });

  it('releases the bundled later news one by one', async () => {
    const own = await FakeFeeds.start();
    try {
      const ids = async () => [
        ...parseRss((await get(own.gnwUrl)).text, 'gnw', 'globenewswire').map((i) => i.sourceId),
        ...parseRss((await get(own.prnUrl)).text, 'prn', 'prnewswire').map((i) => i.link),
        ...parseSecAtom((await get(own.secUrl())).text, 'sec').map((i) => i.guid),
      ];
      const start = await ids();
      let released = 0;
      while (own.publishNext()) released++;
      assert.equal(released, 3);
      const end = await ids();
      assert.equal(end.length, start.length + 3);
      assert.ok(end.includes('3188020') && end.includes('0001234567-26-000057'));
    } finally {
      await own.close();
    }
  });

  it('answers 304 to a matching validator and gzip when asked', async () => {
    const first = await get(feeds.gnwUrl);
    const etag = first.headers.get('etag') ?? '';
    assert.equal((await get(feeds.gnwUrl, { 'if-none-match': etag })).status, 304);
    const lm = first.headers.get('last-modified') ?? '';
    assert.equal((await get(feeds.gnwUrl, { 'if-modified-since': lm })).status, 304);
    const raw = await new Promise<string | undefined>((resolve, reject) => {
      import('node:http').then(({ get: httpGet }) =>
        httpGet(feeds.gnwUrl, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          res.resume();
          resolve(res.headers['content-encoding']);
        }).on('error', reject),
      );
    });
    assert.equal(raw, 'gzip');
  });

  it('switches faults on, for a number of requests', async () => {
    feeds.setFault('gnw', { kind: 'block_200', times: 2 });
    for (let i = 0; i < 2; i++) {
      const r = await get(feeds.gnwUrl);
      assert.equal(r.status, 200);
      assert.match(r.text, /Undeclared Automated Tool/);
    }
    assert.match((await get(feeds.gnwUrl)).text, /<rss/);
    feeds.setFault('prn', { kind: 'server_error' });
    assert.equal((await get(feeds.prnUrl)).status, 503);
    feeds.setFault('prn', undefined);
    assert.equal((await get(feeds.prnUrl)).status, 200);
  });

  it('records requests with their headers and time, and can enforce the SEC rate', async () => {
    const strict = await FakeFeeds.start({ secMaxPerSecond: 3 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await get(strict.secUrl({ type: '8-K' }))).status);
      const sec = strict.requestsTo('sec');
      assert.equal(sec.length, 6);
      assert.ok(strict.peakRate('sec') >= 1 && strict.peakRate('sec') <= 6);
      assert.equal(strict.peakRate(['sec', 'gnw'], 60_000), 6);
      assert.ok(sec.every((r) => r.headers['user-agent'] === UA && r.query.type === '8-K'));
      // Six requests in well under a second: the fourth onward get SEC's rate page.
      if (sec[5]!.at - sec[0]!.at < 1000) assert.deepEqual(statuses, [200, 200, 200, 403, 403, 403]);
      const page = await get(strict.secUrl());
      if (page.status === 403) assert.match(page.text, /Request Rate Threshold Exceeded/);
    } finally {
      await strict.close();
    }
  });
});
