import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SEC_UNDECLARED_TOOL_PAGE } from '../../src/demo/samples/block-pages.js';
import { gnwSampleFeed } from '../../src/demo/samples/globenewswire.js';
import { prnSampleFeed } from '../../src/demo/samples/prnewswire.js';
import { parseFeed } from '../../src/pipeline/feeds/parse-feed.js';
import { parseRss } from '../../src/pipeline/feeds/rss.js';
import { assertFeedFormatError, cutPoints } from './feed-format.js';

const now = new Date('2026-11-16T14:00:00Z');

describe('GlobeNewswire RSS', () => {
  const items = parseRss(gnwSampleFeed(now), 'gnw', 'globenewswire');
  const byId = (id: string) => items.find((i) => i.sourceId === id);

  it('reads every item with its dc fields, matched by local name under the non-standard dc URI', () => {
    assert.equal(items.length, 5);
    const nbtx = byId('3187654');
    assert.ok(nbtx);
    assert.equal(nbtx.kind, 'globenewswire');
    assert.equal(nbtx.issuer, 'NeuroBiotix Therapeutics, Inc.');
    assert.equal(nbtx.published, 'Mon, 16 Nov 2026 13:56 GMT');
    assert.match(nbtx.link ?? '', /\/news-release\/2026\/11\/16\/3187654\/0\/en\/.*\.html$/);
    assert.equal(nbtx.guid, nbtx.link);
    assert.match(nbtx.summary, /^<p align="justify">SAN DIEGO, Nov\. {2}16, 2026 {2}\(GLOBE NEWSWIRE\)/);
    assert.match(nbtx.summary, /&ldquo;NeuroBiotix&rdquo;/, 'CDATA entities are left for normalize');
  });

  it('takes structured tickers from the rss/stock categories only, all of a dual listing', () => {
    assert.deepEqual(byId('3187654')?.structuredTickers, ['Nasdaq:NBTX']);
    assert.deepEqual(byId('3187591')?.structuredTickers, ['TSX-V:HVM', 'OTCQB:HVMNF']);
    assert.deepEqual(byId('3187591')?.categories, ['Company Announcement', 'Mergers and Acquisitions']);
  });

  it('has no structured ticker for a law firm or a private company', () => {
    const alert = byId('3187577');
    assert.deepEqual(alert?.structuredTickers, []);
    assert.equal(alert?.issuer, 'Brandt & Kessler LLP');
    assert.deepEqual(alert?.categories, ['Law & Legal Issues']);
    assert.deepEqual(byId('3187560')?.structuredTickers, []);
  });
});

describe('PR Newswire RSS', () => {
  const items = parseRss(prnSampleFeed(now), 'prn', 'prnewswire');

  it('reads items with the issuer and the link as published, tracking query and all', () => {
    assert.equal(items.length, 4);
    const pwec = items.find((i) => i.title.startsWith('Pacific West'));
    assert.ok(pwec);
    assert.match(pwec.link ?? '', /-302612298\.html\?tc=eml_cleartime$/);
    assert.match(pwec.guid ?? '', /-302612298\.html$/);
    assert.equal(pwec.issuer, 'Pacific West Energy Corp');
    assert.equal(pwec.published, 'Mon, 16 Nov 2026 13:53:00 +0000');
    assert.deepEqual(pwec.structuredTickers, [], 'PR Newswire tickers come from the text only');
    assert.match(pwec.summary, /\(NYSE: PWEC\)/);
  });
});

describe('any RSS or Atom URL', () => {
  it('reads a generic Atom feed', () => {
    const atom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example</title><id>urn:example</id><updated>2026-11-16T10:00:00Z</updated>
  <entry>
    <title type="html">Orbital &amp;amp; Co wins contract</title>
    <link rel="self" href="https://example.com/self/1"/>
    <link rel="alternate" href="https://example.com/news/1?utm_source=x"/>
    <id>tag:example.com,2026:1</id>
    <published>2026-11-16T09:00:00-05:00</published>
    <updated>2026-11-16T09:30:00-05:00</updated>
    <author><name>Orbital Co</name></author>
    <category term="contracts" label="Contracts"/>
    <summary type="html">&lt;p&gt;Orbital (NASDAQ:ORBT) won.&lt;/p&gt;</summary>
  </entry>
</feed>`;
    const [item] = parseRss(atom, 'example', 'rss');
    assert.deepEqual(item, {
      feed: 'example',
      kind: 'rss',
      guid: 'tag:example.com,2026:1',
      title: 'Orbital &amp; Co wins contract',
      summary: '<p>Orbital (NASDAQ:ORBT) won.</p>',
      link: 'https://example.com/news/1?utm_source=x',
      published: '2026-11-16T09:00:00-05:00',
      structuredTickers: [],
      issuer: 'Orbital Co',
      categories: ['Contracts'],
    });
  });

  it('reads RSS 1.0 (RDF) items', () => {
    const rdf = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://example.org/"><title>Ex</title></channel>
  <item rdf:about="https://example.org/a"><title>A</title><link>https://example.org/a</link><dc:date>2026-11-16T10:00:00Z</dc:date></item>
  <item rdf:about="https://example.org/b"><title>B</title><link>https://example.org/b</link></item>
</rdf:RDF>`;
    const items = parseRss(rdf, 'ex', 'rss');
    assert.deepEqual(
      items.map((i) => [i.title, i.link, i.published]),
      [
        ['A', 'https://example.org/a', '2026-11-16T10:00:00Z'],
        ['B', 'https://example.org/b', undefined],
      ],
    );
  });

  it('finds the item link beside an atom:link of the same local name', () => {
    const rss = `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title>
<item><atom:link rel="related" href="https://example.com/rel"/><link>https://example.com/a</link><title>A</title></item>
</channel></rss>`;
    assert.equal(parseRss(rss, 'x', 'rss')[0]?.link, 'https://example.com/a');
  });

  it('an empty channel is zero items, not an error', () => {
    assert.deepEqual(
      parseRss('<rss version="2.0"><channel><title>t</title></channel></rss>', 'x', 'rss'),
      [],
    );
  });

  it('throws on HTML (also XHTML), truncated and invalid bodies', () => {
    const gnw = gnwSampleFeed(now);
    assertFeedFormatError(
      () => parseRss(SEC_UNDECLARED_TOOL_PAGE, 'gnw', 'globenewswire'),
      'blocked',
      'XHTML',
    );
    assertFeedFormatError(
      () =>
        parseRss(
          '<!doctype html><html><head><title>Just a moment...</title></head></html>',
          'prn',
          'prnewswire',
        ),
      'blocked',
      'HTML',
    );
    for (const at of cutPoints(gnw)) {
      assertFeedFormatError(
        () => parseRss(gnw.slice(0, at), 'gnw', 'globenewswire'),
        'truncated',
        `cut at ${at}`,
      );
    }
    const prn = prnSampleFeed(now);
    for (const at of cutPoints(prn)) {
      assertFeedFormatError(
        () => parseRss(prn.slice(0, at), 'prn', 'prnewswire'),
        'truncated',
        `cut at ${at}`,
      );
    }
    assertFeedFormatError(() => parseRss('Service Unavailable', 'x', 'rss'), 'invalid', 'plain text');
    assertFeedFormatError(() => parseRss('<opml><body/></opml>', 'x', 'rss'), 'invalid', 'other XML');
  });
});

describe('parseFeed', () => {
  it('reads a feed by its configured kind', () => {
    const gnw = gnwSampleFeed(now);
    assert.deepEqual(parseFeed('globenewswire', gnw, 'gnw'), parseRss(gnw, 'gnw', 'globenewswire'));
    assert.deepEqual(
      parseFeed('prnewswire', gnw, 'x').flatMap((i) => i.structuredTickers),
      [],
      'PR Newswire kind never reads structured tickers',
    );
    assertFeedFormatError(() => parseFeed('sec_edgar', gnw, 'sec'), 'invalid', 'RSS as SEC');
  });
});
