import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/error.js';
import {
  DEFAULT_SEC_FORMS,
  parsePipelineConfig,
  SEC_COMPANY_TICKERS_URL,
} from '../../src/config/pipeline.js';

const SEC = 'https://www.sec.gov/cgi-bin/browse-edgar?action=getcurrent&output=atom';

describe('pipeline configuration', () => {
  it('reads CATALYST_FEEDS as kind=url pairs, with unique names and the default SEC forms', () => {
    const c = parsePipelineConfig({
      CATALYST_FEEDS: `sec_edgar=${SEC},rss=https://a.example/feed.xml,rss=https://b.example/atom`,
      SEC_USER_AGENT: 'Acme Research ops@acme.example',
    });
    assert.deepEqual(
      c.feeds.map((f) => [f.name, f.kind]),
      [
        ['sec_edgar', 'sec_edgar'],
        ['rss', 'rss'],
        ['rss-2', 'rss'],
      ],
    );
    assert.deepEqual(c.feeds[0]?.forms, DEFAULT_SEC_FORMS);
    // Without SEC_TICKERS_URL the filings' CIKs map through SEC's own file, not to nothing.
    assert.equal(c.secTickersUrl, SEC_COMPANY_TICKERS_URL);
    assert.equal(parsePipelineConfig({ CATALYST_FEEDS: 'rss=https://a.example/x' }).secTickersUrl, undefined);
    assert.equal(c.llm, undefined, 'no LLM configured: the keyword model decides');
  });

  it('refuses an SEC feed without a declared User-Agent, naming the variable and the fix', () => {
    assert.throws(
      () => parsePipelineConfig({ CATALYST_FEEDS: `sec_edgar=${SEC}` }),
      (err: unknown) =>
        err instanceof ConfigError && /^SEC_USER_AGENT is required .*admin@company\.com/.test(err.message),
    );
    assert.throws(
      () => parsePipelineConfig({ CATALYST_FEEDS: `sec_edgar=${SEC}`, SEC_USER_AGENT: 'curl' }),
      /SEC_USER_AGENT must name a contact email/,
    );
  });

  it('names the entry and the problem for bad feeds, a missing file and a bad keywords file', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'catalyst-config-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    assert.throws(
      () => parsePipelineConfig({ CATALYST_FEEDS: 'nonsense' }),
      /CATALYST_FEEDS entry #1: expected kind=url/,
    );
    assert.throws(
      () => parsePipelineConfig({ CATALYST_FEEDS: 'atom=https://x.example' }),
      /kind must be one of/,
    );
    assert.throws(
      () => parsePipelineConfig({ CATALYST_FEEDS: 'rss=ftp://x.example' }),
      /expected an http\(s\) URL/,
    );
    assert.throws(
      () => parsePipelineConfig({ CATALYST_FEEDS_FILE: join(dir, 'missing.json') }),
      /CATALYST_FEEDS_FILE .*missing\.json: no such file/,
    );
    const file = join(dir, 'feeds.json');
    writeFileSync(file, JSON.stringify([{ kind: 'rss', url: 'https://x.example/rss', interval_ms: 5 }]));
    assert.throws(
      () => parsePipelineConfig({ CATALYST_FEEDS_FILE: file }),
      /feed #1: interval_ms must be a number of at least 1000/,
    );
    const keywords = join(dir, 'keywords.json');
    writeFileSync(keywords, '{"version": 1');
    assert.throws(
      () => parsePipelineConfig({ CATALYST_KEYWORDS_FILE: keywords }),
      (err: unknown) =>
        err instanceof ConfigError && err.message.startsWith('CATALYST_KEYWORDS_FILE: keywords file'),
    );
  });
});
