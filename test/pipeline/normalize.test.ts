import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gnwSampleFeed } from '../../src/demo/samples/globenewswire.js';
import { prnSampleFeed } from '../../src/demo/samples/prnewswire.js';
import { SEC_COMPANY_TICKERS, secSampleFeed } from '../../src/demo/samples/sec.js';
import { parseSecAtom } from '../../src/pipeline/feeds/sec-atom.js';
import { parseRss } from '../../src/pipeline/feeds/rss.js';
import { parseSecTickers } from '../../src/pipeline/feeds/sec-tickers.js';
import type { NewsItem, RawItem } from '../../src/pipeline/item.js';
import { normalize } from '../../src/pipeline/normalize.js';
import { parseSignalInput } from '../../src/domain/signal.js';

const now = new Date('2026-11-16T14:00:00Z');
const fetchedAt = new Date('2026-11-16T14:00:05Z');
const cikTickers = parseSecTickers(SEC_COMPANY_TICKERS);
const sec = parseSecAtom(secSampleFeed(now), 'sec', { cikTickers }).map((r) =>
  normalize(r, { fetchedAt, cikTickers }),
);
const gnw = parseRss(gnwSampleFeed(now), 'gnw', 'globenewswire').map((r) => normalize(r, { fetchedAt }));
const prn = parseRss(prnSampleFeed(now), 'prn', 'prnewswire').map((r) => normalize(r, { fetchedAt }));
const find = (items: NewsItem[], id: string) => {
  const item = items.find((i) => i.id === id);
  assert.ok(item, `item ${id}`);
  return item;
};

const raw = (over: Partial<RawItem>): RawItem => ({
  feed: 'ex',
  kind: 'rss',
  title: 't',
  summary: '',
  structuredTickers: [],
  categories: [],
  ...over,
});

describe('normalize', () => {
  it('derives stable ids from the source key, each a valid signal id', () => {
    assert.deepEqual(
      sec.map((i) => i.id),
      [
        'sec:0001234567-26-000042',
        'sec:0001990002-26-000007',
        'sec:0001990003-26-000011',
        'sec:0001104659-26-000318',
        'sec:0001104659-26-000319',
        'sec:0001990004-26-000002',
      ],
    );
    assert.equal(find(sec, 'sec:0001234567-26-000042').key, '0001234567-26-000042');
    assert.deepEqual(
      gnw.map((i) => i.id),
      ['gnw:3187654', 'gnw:3187602', 'gnw:3187591', 'gnw:3187577', 'gnw:3187560'],
    );
    assert.deepEqual(
      prn.map((i) => i.id),
      ['prn:302612345', 'prn:302612298', 'prn:302612270', 'prn:302612244'],
    );
    const generic = normalize(raw({ guid: 'tag:example.com,2026:1', link: 'https://example.com/a' }), {
      fetchedAt,
    });
    assert.match(generic.id, /^rss:[0-9a-f]{32}$/);
    assert.equal(generic.key, 'tag:example.com,2026:1');
    const noGuid = normalize(raw({ link: 'http://Example.com/a?utm_source=x#top' }), { fetchedAt });
    assert.equal(noGuid.key, 'https://example.com/a');
    for (const item of [...sec, ...gnw, ...prn, generic, noGuid]) {
      assert.doesNotThrow(() =>
        parseSignalInput({
          id: item.id,
          ticker: item.tickers[0] ?? 'X',
          title: item.title,
          source: item.kind,
          catalyst: 'news',
          sentiment: 0,
          confidence: 0.5,
          published_at: item.publishedAt,
          ...(item.url ? { url: item.url } : {}),
        }),
      );
    }
  });

  it('gives the same id to the same item on every poll', () => {
    const again = parseRss(gnwSampleFeed(now), 'gnw', 'globenewswire').map((r) =>
      normalize(r, { fetchedAt: now }),
    );
    assert.deepEqual(
      again.map((i) => i.id),
      gnw.map((i) => i.id),
    );
    const a = normalize(raw({ link: 'https://example.com/a?tc=1' }), { fetchedAt });
    const b = normalize(raw({ link: 'http://example.com/a' }), { fetchedAt: now });
    assert.equal(a.id, b.id);
  });

  it('turns HTML with entities and GlobeNewswire double spaces into plain text', () => {
    const nbtx = find(gnw, 'gnw:3187654');
    assert.ok(
      nbtx.summary.startsWith(
        'SAN DIEGO, Nov. 16, 2026 (GLOBE NEWSWIRE) -- NeuroBiotix Therapeutics, Inc. (Nasdaq: NBTX) (\u201cNeuroBiotix\u201d',
      ),
      nbtx.summary,
    );
    assert.doesNotMatch(nbtx.summary, /<|&[a-z]+;| {2}/);
    assert.match(nbtx.summary, /progression-free survival & showed/);
    assert.equal(find(gnw, 'gnw:3187577').issuer, 'Brandt & Kessler LLP');
    assert.equal(
      find(sec, 'sec:0001104659-26-000318').title,
      '424B5 - Marlow & Finch Therapeutics Inc (0001987004) (Filer)',
    );
    const n = normalize(
      raw({
        title: ' A\u00a0<b>bold</b>&nbsp;move\u0007 ',
        summary: '<script>x()</script><p>one</p><p>two</p>',
      }),
      {
        fetchedAt,
      },
    );
    assert.equal(n.title, 'A bold move');
    assert.equal(n.summary, 'one two');
  });

  it('reads every date spelling as a UTC instant', () => {
    assert.equal(find(gnw, 'gnw:3187654').publishedAt, '2026-11-16T13:56:00.000Z'); // no seconds
    assert.equal(find(prn, 'prn:302612298').publishedAt, '2026-11-16T13:53:00.000Z'); // +0000
    assert.equal(find(sec, 'sec:0001234567-26-000042').publishedAt, '2026-11-16T13:57:00.000Z'); // -05:00
    const at = (published: string) => normalize(raw({ published }), { fetchedAt }).publishedAt;
    assert.equal(at('2026-07-16T09:41:37-04:00'), '2026-07-16T13:41:37.000Z');
    assert.equal(at('Thu, 16 Jul 2026 09:41:37 EDT'), '2026-07-16T13:41:37.000Z');
    assert.equal(at('2026-11-16T14:05:00Z'), '2026-11-16T14:05:00.000Z');
    assert.equal(at('2026-11-16T09:05-0500'), '2026-11-16T14:05:00.000Z');
    assert.equal(at('Sun, 16 Nov 26 13:05 +0000'), '2026-11-16T13:05:00.000Z');
  });

  it('falls back to the fetch time, and says so, when the date is missing or unreadable', () => {
    for (const published of [
      undefined,
      'yesterday',
      '2026-11-16T09:00:00',
      'Mon, 16 Nov 2026 13:05',
      // Days and times that do not exist: Date.parse alone would move them to another day.
      'Thu, 31 Apr 2026 13:05:00 GMT',
      '30 Feb 2026 13:05 GMT',
      'Mon, 16 Nov 2026 24:00 GMT',
      '2026-02-30T09:00:00-05:00',
      '2026-11-16T24:00:00Z',
    ]) {
      const n = normalize(raw({ published }), { fetchedAt });
      assert.equal(n.publishedAt, fetchedAt.toISOString(), String(published));
      assert.equal(n.publishedAtGuessed, true);
    }
    assert.equal(find(gnw, 'gnw:3187654').publishedAtGuessed, undefined);
  });

  it('canonicalises links: https, no tracking parameters, no fragment', () => {
    assert.equal(
      find(prn, 'prn:302612298').url,
      'https://www.prnewswire.com/news-releases/pacific-west-energy-signs-20-year-power-purchase-agreement-with-cascadia-utilities-302612298.html',
    );
  });

  it('takes structured tickers first, without their exchange, US listings first', () => {
    const nbtx = find(gnw, 'gnw:3187654');
    assert.deepEqual([nbtx.tickers, nbtx.tickerSource], [['NBTX'], 'structured']);
    assert.deepEqual(nbtx.listings, [{ exchange: 'Nasdaq', ticker: 'NBTX' }]);
    const hvm = find(gnw, 'gnw:3187591');
    assert.deepEqual([hvm.tickers, hvm.tickerSource], [['HVMNF', 'HVM'], 'structured']);
    const both = normalize(raw({ structuredTickers: ['Nasdaq:AAA'], summary: 'Other (NYSE: BBB)' }), {
      fetchedAt,
    });
    assert.deepEqual([both.tickers, both.tickerSource], [['AAA'], 'structured']);
  });

  it('maps SEC filings to tickers through the CIK map', () => {
    assert.deepEqual(
      sec.map((i) => [i.tickers, i.tickerSource]),
      [
        [['NBTX'], 'cik'],
        [['KQC'], 'cik'],
        [['PWEC'], 'cik'],
        [['MFTX'], 'cik'],
        [['GPBC'], 'cik'],
        [['CRVB'], 'cik'],
      ],
    );
    const unknown = normalize(parseSecAtom(secSampleFeed(now), 'sec')[0] as RawItem, {
      fetchedAt,
      cikTickers: new Map(),
    });
    assert.deepEqual([unknown.tickers, unknown.tickerSource], [[], undefined]);
  });

  it('falls back to (Exchange: TICKER) in the text; a private company has none', () => {
    assert.deepEqual(
      prn.map((i) => [i.tickers, i.tickerSource]),
      [
        [['NBTX'], 'text'],
        [['PWEC'], 'text'],
        [['MFTX'], 'text'],
        [['KQC'], 'text'],
      ],
    );
    const alert = find(gnw, 'gnw:3187577');
    assert.deepEqual([alert.tickers, alert.tickerSource], [['KQC'], 'text']);
    const priv = find(gnw, 'gnw:3187560');
    assert.deepEqual([priv.tickers, priv.tickerSource], [[], undefined]);
  });
});
