// SEC's CIK -> ticker map, from SEC_TICKERS_URL (fetched through the SEC host's dependency, so it
// shares SEC's rate limit) or a local path. Cached and refreshed daily; while a refresh fails the
// last good map stays in use (filings of companies new since then have no ticker and are dropped
// as `no_ticker`, with the reason recorded).
import { readFile } from 'node:fs/promises';
import { parseSecTickers } from './feeds/sec-tickers.js';
import type { FeedSource } from './ports.js';

const DAY_MS = 24 * 3600_000;
const RETRY_MS = 5 * 60_000;

export class SecTickers {
  private map = new Map<string, string>();
  private loadedAt = 0;
  private triedAt = 0;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly location: string | undefined,
    private readonly source: FeedSource,
    private readonly log: { warn(obj: object, msg: string): void },
    private readonly now: () => number = Date.now,
  ) {}

  /** The current map; refreshed first when a day old (or never loaded), at most every 5 min on failure. */
  async current(): Promise<ReadonlyMap<string, string>> {
    const t = this.now();
    const stale = t - this.loadedAt > DAY_MS;
    if (this.location && stale && t - this.triedAt > RETRY_MS) await (this.loading ??= this.load());
    return this.map;
  }

  private async load(): Promise<void> {
    this.triedAt = this.now();
    const where = this.location as string;
    try {
      if (/^https?:\/\//.test(where)) {
        const r = await this.source.read(where, parseSecTickers);
        if (!r.notModified) this.map = r.value;
      } else this.map = parseSecTickers(await readFile(where, 'utf8'));
      this.loadedAt = this.now();
    } catch (err) {
      this.log.warn({ err, where }, 'SEC company tickers could not be loaded; keeping the last good map');
    } finally {
      this.loading = undefined;
    }
  }
}
