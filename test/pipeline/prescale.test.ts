import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { NewsItem } from '../../src/pipeline/item.js';
import { DEFAULT_KEYWORDS_PATH, KeywordsFileError, loadKeywords } from '../../src/pipeline/keywords.js';
import { prescale } from '../../src/pipeline/prescale.js';

const keywords = loadKeywords();

const item = (over: Partial<NewsItem>): NewsItem => ({
  id: 'gnw:1',
  feed: 'gnw',
  kind: 'globenewswire',
  key: '1',
  title: '',
  summary: '',
  url: 'https://www.globenewswire.com/news-release/2026/11/16/1000001/0/en/x.html',
  publishedAt: '2026-11-16T13:05:00.000Z',
  tickers: ['NBTX'],
  categories: [],
  ...over,
});

test('an FDA approval passes with a positive direction and the FDA base confidence', () => {
  const d = prescale(item({ title: 'NeuroBiotix Receives FDA Approval for NBX-101' }), keywords);
  assert.equal(d.pass, true);
  assert.equal(d.reason, 'relevant');
  assert.equal(d.primary?.name, 'fda');
  assert.equal(d.primary?.confidence, 0.92);
  assert.ok(d.sentiment > 0);
  // 0.9 (fda) x 1.0 (globenewswire) x 0.95 (globenewswire.com)
  assert.equal(d.relevance, 0.855);
});

test('a category counts once however many of its phrases match', () => {
  const once = prescale(item({ title: 'FDA approval' }), keywords);
  const many = prescale(
    item({ title: 'FDA approval', summary: 'FDA approves; PDUFA; priority review' }),
    keywords,
  );
  assert.equal(many.relevance, once.relevance);
  assert.equal(many.matches.length, 1);
});

test('an offering is a negative catalyst even beside good news, never a buy', () => {
  const d = prescale(
    item({
      title: 'NeuroBiotix Announces FDA Clearance and Pricing of $10 Million Registered Direct Offering',
    }),
    keywords,
  );
  assert.equal(d.pass, true);
  assert.equal(d.primary?.name, 'offering');
  assert.ok(d.sentiment < 0);
  assert.deepEqual(d.matches.map((m) => m.name).sort(), ['fda', 'offering']);
});

test('an SEC form type implies its category (a 424B5 prospectus is an offering)', () => {
  const d = prescale(
    item({
      kind: 'sec_edgar',
      url: 'https://www.sec.gov/Archives/edgar/data/1/000/x-index.htm',
      title: '424B5 - KRAKEN QUANTUM CORP (0001234568) (Filer)',
      sec: { accession: 'a', form: '424B5', cik: '1', company: 'K', role: 'Filer', items: [] },
    }),
    keywords,
  );
  assert.equal(d.primary?.name, 'offering');
  assert.equal(d.primary?.matched, 'form:424B5');
});

test('8-K item numbers imply their category', () => {
  const d = prescale(
    item({
      kind: 'sec_edgar',
      url: 'https://www.sec.gov/Archives/edgar/data/1/000/x-index.htm',
      title: '8-K - NEUROBIOTIX INC (0001234567) (Filer)',
      sec: {
        accession: 'b',
        form: '8-K',
        cik: '1',
        company: 'N',
        role: 'Filer',
        items: ['Item 2.01', '9.01'],
      },
    }),
    keywords,
  );
  assert.equal(d.pass, true);
  assert.equal(d.primary?.name, 'merger');
  assert.equal(d.primary?.matched, 'item:2.01');
});

test('law-firm promotions are dropped with their reason, by issuer or by title', () => {
  const byTitle = prescale(
    item({ title: 'INVESTOR ALERT: Class Action Filed Against NeuroBiotix (NBTX) - Contact the Firm' }),
    keywords,
  );
  assert.equal(byTitle.pass, false);
  assert.equal(byTitle.reason, 'law_firm_promotion');
  assert.match(byTitle.detail, /investor alert/);
  const byIssuer = prescale(
    item({ title: 'NBTX Investors: Deadline Approaching', issuer: 'Example & Partners LLP' }),
    keywords,
  );
  assert.equal(byIssuer.reason, 'law_firm_promotion');
  assert.match(byIssuer.detail, /issuer/);
});

test('items at or below the threshold stop, and say why', () => {
  const weak = prescale(item({ title: 'NeuroBiotix to Present at Investor Conference' }), keywords);
  assert.equal(weak.pass, false);
  assert.equal(weak.reason, 'below_threshold');
  assert.ok(weak.relevance <= 0.2);
  const none = prescale(item({ title: 'NeuroBiotix Appoints Chief Financial Officer' }), keywords);
  assert.equal(none.reason, 'no_keywords');
  assert.equal(none.relevance, 0);
});

test('source weight and credibility scale relevance: a generic RSS feed counts less', () => {
  const title = 'Acme Signs Supply Agreement';
  const wire = prescale(item({ title }), keywords);
  const blog = prescale(item({ title, kind: 'rss', url: 'https://blog.example.org/post' }), keywords);
  assert.equal(wire.relevance, 0.5225); // 0.55 x 1.0 x 0.95
  assert.equal(blog.relevance, 0.308); // 0.55 x 0.7 x 0.8
});

test('phrases match whole words only, and a trailing * matches word endings', () => {
  assert.equal(prescale(item({ title: 'Acme unpdufa news' }), keywords).reason, 'no_keywords');
  assert.equal(prescale(item({ title: 'Acme Uplisted to Nasdaq' }), keywords).primary?.name, 'uplisting');
});

test('the bundled default file loads by path too', () => {
  assert.deepEqual(loadKeywords(DEFAULT_KEYWORDS_PATH).data, keywords.data);
});

test('a broken keywords file gives one line naming the file and the problem', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'catalyst-keywords-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: string) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };
  const cases: [string, string, RegExp][] = [
    ['missing.json', '', /no such file/],
    ['bad.json', '{"version": 1,', /is not valid JSON/],
    [
      'weight.json',
      JSON.stringify({
        ...keywords.data,
        categories: { fda: { polarity: 'positive', weight: 'high', confidence: 0.9, phrases: ['x'] } },
      }),
      /categories\.fda\.weight must be a number/,
    ],
    [
      'polarity.json',
      JSON.stringify({
        ...keywords.data,
        categories: { fda: { polarity: 'up', weight: 1, confidence: 0.9, phrases: ['x'] } },
      }),
      /polarity must be/,
    ],
    [
      'name.json',
      JSON.stringify({
        ...keywords.data,
        categories: { 'FDA News': { polarity: 'positive', weight: 1, confidence: 0.9, phrases: ['x'] } },
      }),
      /lower snake case/,
    ],
    [
      'phrase.json',
      JSON.stringify({ ...keywords.data, promotions: { issuers: ['ok', '!!'], titles: [] } }),
      /promotions\.issuers\[1\]/,
    ],
    [
      'items.json',
      JSON.stringify({
        ...keywords.data,
        categories: {
          m: { polarity: 'positive', weight: 1, confidence: 0.9, phrases: ['x'], sec_items: ['Item 1'] },
        },
      }),
      /categories\.m\.sec_items\[0\] must look like "1\.01"/,
    ],
    [
      'kinds.json',
      JSON.stringify({ ...keywords.data, sources: { ...keywords.data.sources, kinds: { rss: 1 } } }),
      /sources\.kinds\.sec_edgar/,
    ],
  ];
  for (const [name, content, problem] of cases) {
    const path = name === 'missing.json' ? join(dir, name) : write(name, content);
    assert.throws(
      () => loadKeywords(path),
      (err: unknown) => {
        assert.ok(err instanceof KeywordsFileError);
        assert.match(err.message, problem);
        assert.ok(err.message.includes(path));
        assert.ok(!err.message.includes('\n'));
        return true;
      },
    );
  }
});

test('a user file replaces the default entirely', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'catalyst-keywords-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'mine.json');
  const data = {
    ...keywords.data,
    threshold: 0.1,
    categories: { robots: { polarity: 'positive', weight: 0.5, confidence: 0.7, phrases: ['robot*'] } },
  };
  writeFileSync(path, JSON.stringify(data));
  const mine = loadKeywords(path);
  assert.equal(mine.origin, path);
  assert.equal(prescale(item({ title: 'Acme Robotics Wins' }), mine).primary?.name, 'robots');
  assert.equal(prescale(item({ title: 'FDA approval' }), mine).reason, 'no_keywords');
});
