import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SEC_RATE_EXCEEDED_PAGE, SEC_UNDECLARED_TOOL_PAGE } from '../../src/demo/samples/block-pages.js';
import { gnwSampleFeed } from '../../src/demo/samples/globenewswire.js';
import { SEC_COMPANY_TICKERS, secSampleFeed } from '../../src/demo/samples/sec.js';
import { parseSecAtom } from '../../src/pipeline/feeds/sec-atom.js';
import { parseSecTickers } from '../../src/pipeline/feeds/sec-tickers.js';
import { assertFeedFormatError, cutPoints } from './feed-format.js';

const now = new Date('2026-11-16T14:00:00Z');
const body = secSampleFeed(now);
const cikTickers = parseSecTickers(SEC_COMPANY_TICKERS);

describe('SEC getcurrent Atom', () => {
  it('reads form, company, CIK, role, accession, link, updated and 8-K items from each entry', () => {
    const [eightK] = parseSecAtom(body, 'sec', { cikTickers });
    assert.ok(eightK);
    assert.equal(eightK.kind, 'sec_edgar');
    assert.equal(eightK.guid, '0001234567-26-000042');
    assert.deepEqual(eightK.sec, {
      accession: '0001234567-26-000042',
      form: '8-K',
      cik: '0001987001',
      company: 'NeuroBiotix Therapeutics, Inc.',
      role: 'Filer',
      items: ['1.01', '9.01'],
      parties: [{ cik: '0001987001', company: 'NeuroBiotix Therapeutics, Inc.', role: 'Filer' }],
    });
    assert.equal(
      eightK.link,
      'https://www.sec.gov/Archives/edgar/data/1987001/000123456726000042/0001234567-26-000042-index.htm',
    );
    assert.equal(eightK.published, '2026-11-16T08:57:00-05:00');
    assert.match(eightK.summary, /<b>Filed:<\/b> 2026-11-16 <b>AccNo:<\/b> 0001234567-26-000042/);
  });

  it('collapses per-party entries by accession, keeping the party with a ticker (Issuer, Subject)', () => {
    const items = parseSecAtom(body, 'sec', { cikTickers });
    const accessions = items.map((i) => i.sec?.accession);
    assert.equal(new Set(accessions).size, accessions.length, 'one item per accession');
    assert.equal(items.length, 6);
    const form4 = items.find((i) => i.sec?.form === '4');
    assert.equal(form4?.sec?.role, 'Issuer');
    assert.equal(form4?.sec?.company, 'Kestrel Quantum Corp');
    assert.deepEqual(
      form4?.sec?.parties?.map((p) => p.role),
      ['Issuer', 'Reporting'],
    );
    // The insider's name came through ISO-8859-1 intact.
    assert.equal(form4?.sec?.parties?.[1]?.company, 'Müller Anja K');
    const schedule = items.find((i) => i.sec?.form === 'SCHEDULE 13D');
    assert.equal(schedule?.sec?.role, 'Subject');
    assert.equal(schedule?.sec?.cik, '0001987003');
  });

  it('without a CIK map prefers Issuer/Subject; with one, the party that has a ticker', () => {
    const byRole = parseSecAtom(body, 'sec');
    assert.equal(byRole.find((i) => i.sec?.form === '4')?.sec?.role, 'Issuer');
    const onlyFiler = new Map([['0001990003', 'HLC']]);
    const byTicker = parseSecAtom(body, 'sec', { cikTickers: onlyFiler });
    assert.equal(byTicker.find((i) => i.sec?.form === 'SCHEDULE 13D')?.sec?.role, 'Filed by');
  });

  it('re-checks the exact form: type=4 is a prefix match at SEC, so 424B2 and 424B5 are dropped', () => {
    const forms = parseSecAtom(body, 'sec', { forms: ['4'] }).map((i) => i.sec?.form);
    assert.deepEqual(forms, ['4']);
    assert.deepEqual(
      parseSecAtom(body, 'sec', { forms: ['424B5', '8-K'] }).map((i) => i.sec?.form),
      ['8-K', '424B5'],
    );
  });

  it('accepts both spellings of Schedule 13D/G', () => {
    const old = parseSecAtom(body, 'sec', { forms: ['SC 13D', 'sc 13g/a'] }).map((i) => i.sec?.form);
    assert.deepEqual(old, ['SCHEDULE 13D', 'SC 13G/A']);
    const current = parseSecAtom(body, 'sec', { forms: ['SCHEDULE 13G/A'] }).map((i) => i.sec?.form);
    assert.deepEqual(current, ['SC 13G/A']);
  });

  it('throws on SEC block pages, whether answered with 403 or 200', () => {
    assertFeedFormatError(() => parseSecAtom(SEC_UNDECLARED_TOOL_PAGE, 'sec'), 'blocked', 'undeclared tool');
    assertFeedFormatError(() => parseSecAtom(SEC_RATE_EXCEEDED_PAGE, 'sec'), 'blocked', 'rate exceeded');
    assertFeedFormatError(
      () => parseSecAtom('<html><body>Maintenance</body></html>', 'sec'),
      'blocked',
      'any HTML',
    );
  });

  it('throws on a truncated document wherever it was cut', () => {
    for (const at of cutPoints(body)) {
      assertFeedFormatError(() => parseSecAtom(body.slice(0, at), 'sec'), 'truncated', `cut at ${at}`);
    }
    assertFeedFormatError(() => parseSecAtom('', 'sec'), 'truncated', 'empty body');
  });

  it('throws on what is not an Atom feed', () => {
    assertFeedFormatError(() => parseSecAtom(gnwSampleFeed(now), 'sec'), 'invalid', 'RSS');
    assertFeedFormatError(() => parseSecAtom('{"error":"nope"}', 'sec'), 'invalid', 'JSON');
    assertFeedFormatError(() => parseSecAtom('<feed><entry></feed>', 'sec'), 'invalid', 'mismatched tags');
    const bomb = '<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaa">]><feed>&a;</feed>';
    assertFeedFormatError(() => parseSecAtom(bomb, 'sec'), 'invalid', 'entity declarations');
  });

  it('skips an entry whose title it cannot read and keeps the rest', () => {
    const broken = body.replace('<title>8-K - NeuroBiotix', '<title>garbage 8-K NeuroBiotix');
    const items = parseSecAtom(broken, 'sec');
    assert.equal(items.length, 5);
    assert.ok(!items.some((i) => i.sec?.form === '8-K'));
  });
});
