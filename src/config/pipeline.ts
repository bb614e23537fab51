// The pipeline's configuration from the environment: which feeds to poll (CATALYST_FEEDS or
// CATALYST_FEEDS_FILE), the SEC identity and rate, the LLM and market-data services, and the
// pipeline's own limits. Every mistake is a ConfigError naming the variable (or the file and entry).
import { readFileSync } from 'node:fs';
import type { FeedKind } from '../pipeline/item.js';
import { type Keywords, KeywordsFileError, loadKeywords } from '../pipeline/keywords.js';
import { ConfigError } from './error.js';

export const FEED_KINDS: readonly FeedKind[] = ['sec_edgar', 'globenewswire', 'prnewswire', 'rss'];

/** Form types polled from SEC's getcurrent when a feed names none (each one request per poll). */
export const DEFAULT_SEC_FORMS = ['8-K', '6-K', '424B5', 'S-1', 'SCHEDULE 13D', 'SCHEDULE 13G'];

/** SEC's CIK -> ticker file: an SEC feed without it would drop every filing as `no_ticker`. */
export const SEC_COMPANY_TICKERS_URL = 'https://www.sec.gov/files/company_tickers.json';

export interface FeedConfig {
  /** Unique; names the feed in metrics, leases, admin views and dependency names. */
  name: string;
  kind: FeedKind;
  url: string;
  /** sec_edgar: the exact form types to keep; each is asked for with `type=` (a prefix match at SEC). */
  forms: string[];
  intervalMs: number;
  /** A body larger than this (after decompression) is cut off and counts as a failure. */
  maxBytes: number;
}

export interface PipelineConfig {
  feeds: FeedConfig[];
  /** `Company Name admin@company.com`: SEC refuses undeclared tools. Required with an SEC feed. */
  secUserAgent: string | undefined;
  /** URL or local path of SEC's company_tickers.json (CIK -> ticker), refreshed daily; SEC's own with an SEC feed. */
  secTickersUrl: string | undefined;
  /** SEC's fair-access limit is 10/s per user across all machines; Catalyst stays at or under this. */
  secRequestsPerSecond: number;
  /** The wires get a browser-like client; this names Catalyst politely. */
  userAgent: string;
  /** The prescale's keywords: CATALYST_KEYWORDS_FILE, else the bundled file; read and checked once here. */
  keywords: Keywords;
  llm:
    | {
        baseUrl: string;
        apiKey?: string;
        model: string;
        maxTokensField: 'max_tokens' | 'max_completion_tokens';
      }
    | undefined;
  marketData: { baseUrl: string; apiKey?: string } | undefined;
  /** Longest a signal waits for market data before it goes out unadjusted. */
  marketDataDeadlineMs: number;
  /** Older news is recorded as stale, never signalled. */
  maxItemAgeMs: number;
  /** LLM calls at once (local servers want 1-4). */
  llmConcurrency: number;
  /** A feed's lease: renewed every third of it; a dead poller's feed is taken over within one lease. */
  feedLeaseMs: number;
}

type Env = Record<string, string | undefined>;

const DEFAULT_INTERVAL_MS: Record<FeedKind, number> = {
  sec_edgar: 60_000,
  globenewswire: 60_000,
  prnewswire: 60_000,
  rss: 120_000,
};

function number(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > max)
    throw new ConfigError(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
  return v;
}

function httpUrl(raw: string, where: string): string {
  try {
    const u = new URL(raw);
    if (u.protocol === 'http:' || u.protocol === 'https:') return raw;
  } catch {}
  throw new ConfigError(`${where}: expected an http(s) URL, got "${raw}"`);
}

interface FeedEntry {
  kind?: unknown;
  url?: unknown;
  name?: unknown;
  forms?: unknown;
  interval_ms?: unknown;
  max_bytes?: unknown;
}

function feedFrom(e: FeedEntry, where: string, maxBytes: number): FeedConfig {
  if (typeof e.kind !== 'string' || !FEED_KINDS.includes(e.kind as FeedKind))
    throw new ConfigError(`${where}: kind must be one of ${FEED_KINDS.join(', ')}, got "${String(e.kind)}"`);
  const kind = e.kind as FeedKind;
  if (typeof e.url !== 'string') throw new ConfigError(`${where}: url is required`);
  const url = httpUrl(e.url, where);
  let forms: string[] = [];
  if (kind === 'sec_edgar') {
    const inUrl = new URL(url).searchParams.get('type');
    if (e.forms !== undefined) {
      if (!Array.isArray(e.forms) || e.forms.some((f) => typeof f !== 'string' || f.trim() === ''))
        throw new ConfigError(`${where}: forms must be a list of form types such as ["8-K", "SCHEDULE 13D"]`);
      forms = (e.forms as string[]).map((f) => f.trim());
    } else forms = inUrl ? [inUrl] : DEFAULT_SEC_FORMS;
  }
  const positive = (v: unknown, field: string, def: number) => {
    if (v === undefined) return def;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 1000)
      throw new ConfigError(`${where}: ${field} must be a number of at least 1000, got ${JSON.stringify(v)}`);
    return v;
  };
  return {
    name: typeof e.name === 'string' && e.name ? e.name : kind,
    kind,
    url,
    forms,
    intervalMs: positive(e.interval_ms, 'interval_ms', DEFAULT_INTERVAL_MS[kind]),
    maxBytes: positive(e.max_bytes, 'max_bytes', maxBytes),
  };
}

function feedsFrom(env: Env, maxBytes: number): FeedConfig[] {
  const file = env.CATALYST_FEEDS_FILE;
  let entries: { entry: FeedEntry; where: string }[] = [];
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
      throw new ConfigError(`CATALYST_FEEDS_FILE ${file}: ${why}`);
    }
    const list = Array.isArray(parsed) ? parsed : (parsed as { feeds?: unknown })?.feeds;
    if (!Array.isArray(list))
      throw new ConfigError(
        `CATALYST_FEEDS_FILE ${file}: expected a JSON array of feeds (or {"feeds": [...]})`,
      );
    entries = list.map((entry, i) => ({
      entry: entry as FeedEntry,
      where: `CATALYST_FEEDS_FILE ${file} feed #${i + 1}`,
    }));
  } else if (env.CATALYST_FEEDS) {
    entries = env.CATALYST_FEEDS.split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((pair, i) => {
        const at = pair.indexOf('=');
        const where = `CATALYST_FEEDS entry #${i + 1}`;
        if (at <= 0) throw new ConfigError(`${where}: expected kind=url, got "${pair}"`);
        return { entry: { kind: pair.slice(0, at).trim(), url: pair.slice(at + 1).trim() }, where };
      });
  }
  const feeds = entries.map(({ entry, where }) => feedFrom(entry, where, maxBytes));
  // Names must be unique: the second feed of a kind gets a number unless named.
  const seen = new Map<string, number>();
  for (const f of feeds) {
    const n = (seen.get(f.name) ?? 0) + 1;
    seen.set(f.name, n);
    if (n > 1) f.name = `${f.name}-${n}`;
  }
  return feeds;
}

export function parsePipelineConfig(env: Env): PipelineConfig {
  const maxBytes = number(env, 'CATALYST_FEED_MAX_BYTES', 5 * 1024 * 1024, 1024, 512 * 1024 * 1024);
  const feeds = feedsFrom(env, maxBytes);
  const secUserAgent = env.SEC_USER_AGENT?.trim() || undefined;
  const withSec = feeds.some((f) => f.kind === 'sec_edgar');
  if (withSec) {
    if (!secUserAgent)
      throw new ConfigError(
        'SEC_USER_AGENT is required with an SEC feed: set it to "Company Name admin@company.com" (SEC refuses undeclared tools)',
      );
    if (!/\S+@\S+\.\S+/.test(secUserAgent))
      throw new ConfigError(
        `SEC_USER_AGENT must name a contact email, as "Company Name admin@company.com"; got "${secUserAgent}"`,
      );
  }
  let keywords: Keywords;
  try {
    // Read here so a broken file stops start-up with one line, not a stack trace later.
    keywords = loadKeywords(env.CATALYST_KEYWORDS_FILE?.trim() || undefined);
  } catch (err) {
    if (err instanceof KeywordsFileError) throw new ConfigError(`CATALYST_KEYWORDS_FILE: ${err.message}`);
    throw err;
  }
  const llmUrl = env.LLM_BASE_URL?.trim();
  const mdUrl = env.MARKET_DATA_BASE_URL?.trim();
  const maxTokensField = env.LLM_MAX_TOKENS_FIELD ?? 'max_tokens';
  if (maxTokensField !== 'max_tokens' && maxTokensField !== 'max_completion_tokens')
    throw new ConfigError(
      `LLM_MAX_TOKENS_FIELD must be max_tokens or max_completion_tokens, got "${maxTokensField}"`,
    );
  return {
    feeds,
    secUserAgent,
    secTickersUrl: env.SEC_TICKERS_URL?.trim() || (withSec ? SEC_COMPANY_TICKERS_URL : undefined),
    secRequestsPerSecond: number(env, 'CATALYST_SEC_REQUESTS_PER_SECOND', 8, 0.1, 8),
    userAgent: secUserAgent ?? 'Catalyst news pipeline',
    keywords,
    llm: llmUrl
      ? {
          baseUrl: httpUrl(llmUrl, 'LLM_BASE_URL'),
          ...(env.LLM_API_KEY ? { apiKey: env.LLM_API_KEY } : {}),
          model: env.LLM_MODEL?.trim() || 'gpt-4o-mini',
          maxTokensField,
        }
      : undefined,
    marketData: mdUrl
      ? {
          baseUrl: httpUrl(mdUrl, 'MARKET_DATA_BASE_URL'),
          ...(env.MARKET_DATA_API_KEY ? { apiKey: env.MARKET_DATA_API_KEY } : {}),
        }
      : undefined,
    marketDataDeadlineMs: number(env, 'CATALYST_MARKET_DATA_DEADLINE_MS', 2000, 50, 60_000),
    maxItemAgeMs: number(env, 'CATALYST_ITEM_MAX_AGE_HOURS', 24, 0.01, 24 * 365) * 3600_000,
    llmConcurrency: number(env, 'LLM_CONCURRENCY', 4, 1, 64),
    feedLeaseMs: number(env, 'CATALYST_FEED_LEASE_MS', 20_000, 300, 600_000),
  };
}
