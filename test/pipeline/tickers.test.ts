import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalUrl } from '../../src/pipeline/canonical-url.js';
import { parseSecTickers } from '../../src/pipeline/feeds/sec-tickers.js';
import { listingsFromText, orderListings, parseListing } from '../../src/pipeline/tickers.js';
import { SEC_UNDECLARED_TOOL_PAGE } from '../../src/demo/samples/block-pages.js';
import { assertFeedFormatError } from './feed-format.js';

const tickers = (text: string) => orderListings(listingsFromText(text)).map((l) => l.ticker);

describe('tickers from text', () => {
  it('reads every wire spelling, any case, with or without a space', () => {
    assert.deepEqual(tickers('Acme (NYSE: ACME) said'), ['ACME']);
    assert.deepEqual(tickers('Acme (NASDAQ:ACMX) said'), ['ACMX']);
    assert.deepEqual(tickers('Acme (OTCQB: ACMXF) said'), ['ACMXF']);
    assert.deepEqual(tickers('NeuroBiotix (Nasdaq: NBTX)'), ['NBTX']);
    assert.deepEqual(tickers('Kestrel (NYSE American: KQC)'), ['KQC']);
    assert.deepEqual(tickers('Kestrel (nyse american:kqc)'), ['KQC']);
    assert.deepEqual(tickers('Berk (NYSE: BRK.B)'), ['BRK.B']);
    assert.deepEqual(tickers('Fund (Nasdaq Global Select Market: FUND)'), ['FUND']);
  });

  it('reads listings in lists and in several brackets, US first', () => {
    assert.deepEqual(tickers('Hollow Valley (TSX-V: HVM) (OTCQB: HVMNF)'), ['HVMNF', 'HVM']);
    assert.deepEqual(tickers('Maple (TSX: MPL; NYSE: MPLE)'), ['MPLE', 'MPL']);
    assert.deepEqual(tickers('Twice (Nasdaq: TWC) ... (NASDAQ:TWC)'), ['TWC']);
  });

  it('ignores brackets that are not a known exchange', () => {
    assert.deepEqual(tickers('(Phase: 2) (Note: see below) (ticker: ABC) (NYSE: toolongticker)'), []);
  });

  it('parses structured listings', () => {
    assert.deepEqual(parseListing('Nasdaq:NBTX'), { exchange: 'Nasdaq', ticker: 'NBTX' });
    assert.deepEqual(parseListing('NYSE American:KQC'), { exchange: 'NYSE American', ticker: 'KQC' });
    assert.deepEqual(parseListing('nbtx'), { ticker: 'NBTX' });
    assert.equal(parseListing('Paris:'), undefined);
    assert.equal(parseListing('NYSE:BAD TICKER'), undefined);
  });
});

describe('canonical URL', () => {
  it('upgrades to https, drops tracking parameters and the fragment, sorts the rest', () => {
    assert.equal(
      canonicalUrl('http://WWW.Example.com:80/a/b.html?utm_source=x&b=2&tc=eml&a=1&fbclid=z&gclid=q#frag'),
      'https://www.example.com/a/b.html?a=1&b=2',
    );
    assert.equal(canonicalUrl('https://example.com/x?utm_medium=rss'), 'https://example.com/x');
    assert.equal(canonicalUrl('http://127.0.0.1:8080/x?tc=1'), 'http://127.0.0.1:8080/x');
  });

  it('is undefined for what is not an absolute http(s) URL', () => {
    for (const u of [undefined, '', 'not a url', 'ftp://example.com/x', 'javascript:alert(1)', '/relative']) {
      assert.equal(canonicalUrl(u), undefined, String(u));
    }
  });
});

describe('SEC company_tickers.json', () => {
  it('maps 10-digit zero-padded CIKs to the first ticker listed', () => {
    const map = parseSecTickers(
      JSON.stringify({
        0: { cik_str: 320193, ticker: 'AAPL', title: 'Apple Inc.' },
        1: { cik_str: 1067983, ticker: 'BRK-B', title: 'Berkshire' },
        2: { cik_str: 1067983, ticker: 'BRK-A', title: 'Berkshire' },
        3: { cik_str: 'x', ticker: 'BAD' },
        4: { cik_str: 42, ticker: 'not a ticker!' },
      }),
    );
    assert.deepEqual(
      [...map],
      [
        ['0000320193', 'AAPL'],
        ['0001067983', 'BRK-B'],
      ],
    );
  });

  it('throws on a block page, a cut file or what is not the file', () => {
    assertFeedFormatError(() => parseSecTickers(SEC_UNDECLARED_TOOL_PAGE), 'blocked', 'block page');
    assertFeedFormatError(() => parseSecTickers('{"0":{"cik_str":320193,"tick'), 'truncated', 'cut');
    assertFeedFormatError(() => parseSecTickers('[1,2'), 'truncated', 'cut array');
    assertFeedFormatError(() => parseSecTickers('"AAPL"'), 'invalid', 'a string');
    assertFeedFormatError(() => parseSecTickers('oops'), 'invalid', 'not JSON');
  });
});
