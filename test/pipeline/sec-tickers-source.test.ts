// SEC's CIK -> ticker map from SEC_TICKERS_URL: a URL (read through the SEC host's guarded source)
// or a local path; read once, refreshed when a day old, and kept when a refresh fails.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { FeedSource } from '../../src/pipeline/ports.js';
import { SecTickers } from '../../src/pipeline/sec-tickers-source.js';

const file = (ticker: string) => JSON.stringify({ 0: { cik_str: 320193, ticker, title: 'Example Inc.' } });
const CIK = '0000320193';
const HOUR = 3600_000;

/** A source answering `body()` for every read, counting reads; `fail` makes reads reject. */
function fakeSource(body: () => string) {
  const calls = { reads: 0, fail: false };
  const source: FeedSource = {
    async read(_url, parse) {
      calls.reads++;
      if (calls.fail) throw new Error('SEC unreachable');
      return { notModified: false, value: parse(body()), bytes: 0 };
    },
    forget: () => undefined,
  };
  return { source, calls };
}

describe('SEC company tickers', () => {
  it('reads the URL once, refreshes it when a day old, and keeps the last map while a refresh fails', async () => {
    let ticker = 'AAA';
    let now = Date.parse('2026-11-18T12:00:00Z');
    const { source, calls } = fakeSource(() => file(ticker));
    const warnings: string[] = [];
    const log = { warn: (_o: object, msg: string) => void warnings.push(msg) };
    const tickers = new SecTickers('https://www.sec.gov/files/company_tickers.json', source, log, () => now);

    assert.equal((await tickers.current()).get(CIK), 'AAA');
    now += 23 * HOUR;
    ticker = 'BBB';
    assert.equal((await tickers.current()).get(CIK), 'AAA', 'cached for a day');
    assert.equal(calls.reads, 1);

    now += 2 * HOUR;
    calls.fail = true;
    assert.equal((await tickers.current()).get(CIK), 'AAA', 'a failed refresh keeps the last map');
    assert.equal(warnings.length, 1);
    assert.equal((await tickers.current()).get(CIK), 'AAA');
    assert.equal(calls.reads, 2, 'no retry within 5 minutes of a failure');

    now += 6 * 60_000;
    calls.fail = false;
    assert.equal((await tickers.current()).get(CIK), 'BBB', 'refreshed once SEC answers again');
    assert.equal(calls.reads, 3);
  });

  it('reads a local path instead of a URL', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'catalyst-sec-tickers-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'company_tickers.json');
    writeFileSync(path, file('LOCL'));
    const { source, calls } = fakeSource(() => file('URL'));
    const tickers = new SecTickers(path, source, { warn: () => undefined });
    assert.equal((await tickers.current()).get(CIK), 'LOCL');
    assert.equal(calls.reads, 0, 'no request for a local file');
  });
});
