// One news item's way from a normalised NewsItem to stored signals, recording every decision:
//   stale? -> ticker? -> same story as a recent one? -> keyword prescale -> classify (LLM, or the
//   keyword model when the LLM is absent or failing) -> market facts (within a deadline) -> score
//   -> publish through the same use case as POST /signals.
// Ids derive from the item, so a re-poll, a restart or a second node never double-publishes (the
// store is idempotent by id). The same story from another wire has other ids: before publishing, an
// item claims its story in the ledger, which tells it if another node claimed the same story since.
// When the store is down the item waits and is retried.
import { CatalystError } from '../domain/errors.js';
import type { SignalInput } from '../domain/signal.js';
import type { PublishResult } from '../publish/publisher.js';
import { dependencyFailure } from '../resilience/errors.js';
import { keepClassification } from './classifier-port.js';
import { findDuplicate, fingerprint, SAME_STORY_WINDOW_MS, type StoryFingerprint } from './dedup.js';
import type { NewsItem } from './item.js';
import type { Keywords } from './keywords.js';
import type { Decision, ItemRecord, PipelineLedger, Stage } from './ledger.js';
import { gatherMarketFacts } from './market-facts.js';
import type { Classifier, MarketData } from './ports.js';
import { prescale } from './prescale.js';
import { buildSignals, keywordJudgement, llmJudgement, type Judgement, type MarketFacts } from './score.js';
import { UpstreamError } from './upstream-error.js';

/** The `outcome` label of catalyst_llm_calls_total. */
export const LLM_OUTCOMES = ['ok', 'error', 'timeout', 'invalid', 'rate_limited', 'rejected'] as const;
export type LlmOutcome = (typeof LLM_OUTCOMES)[number];

export interface PipelineEvents {
  onDecision?(stage: Stage, decision: Decision, item: NewsItem, reason: string): void;
  onLlmCall?(outcome: LlmOutcome): void;
  onKeywordFallback?(why: string): void;
  /** Seconds from the news' published_at to the store's commit of its signal. */
  onPublished?(ageSeconds: number): void;
}

export interface ProcessorDeps {
  ledger: PipelineLedger;
  publish(signals: SignalInput[]): Promise<PublishResult[]>;
  /** Absent when no LLM is configured: the keyword model decides alone. */
  classifier?: Classifier;
  /** Absent when no market-data API is configured: scores go out unadjusted. */
  marketData?: MarketData;
  keywords: Keywords;
  maxItemAgeMs: number;
  marketDataDeadlineMs: number;
  events?: PipelineEvents;
  log: { warn(obj: object, msg: string): void; debug(obj: object, msg: string): void };
  now?: () => number;
  /**
   * Items of one batch judged at once (LLM and market-data calls in flight); default 1. One at a
   * time, a feed that brings 50 items behind a 2 s LLM lags by 100 s.
   */
  concurrency?: number;
}

/**
 * Runs `fn` over `items`, at most `limit` at once, started in order. After a failure nothing new
 * starts; it rejects with the first error once the calls in flight have ended.
 */
async function eachAtMost<T>(limit: number, items: readonly T[], fn: (item: T) => Promise<void>) {
  let next = 0;
  let failed: { err: unknown } | undefined;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (err) {
        failed ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failed) throw failed.err;
}

/** An item and when its feed was fetched: the first stamp of its timeline. */
export interface FetchedItem {
  item: NewsItem;
  fetchedAt: string;
}

function llmOutcome(err: unknown): LlmOutcome {
  const dep = dependencyFailure(err);
  if (dep === 'open' || dep === 'busy') return 'rejected';
  if (dep === 'timeout') return 'timeout';
  const inner = err instanceof CatalystError ? err.cause : err;
  if (inner instanceof UpstreamError) {
    if (inner.reason === 'rate_limited') return 'rate_limited';
    if (inner.reason === 'invalid' || inner.reason === 'truncated') return 'invalid';
  }
  if (err instanceof CatalystError && err.message.includes('(429)')) return 'rate_limited';
  return 'error';
}

const isStoreDown = (err: unknown) => err instanceof CatalystError && err.code === 'unavailable';

export class ItemProcessor {
  /** Items whose signals could not be stored yet (store down): retried by `retryWaiting`. */
  private readonly waiting = new Map<
    string,
    { fetched: FetchedItem; signals: SignalInput[]; record: ItemRecord }
  >();
  private readonly now: () => number;
  /**
   * Batches run one at a time: the same story on two wires, polled at once, must meet here. Within
   * a batch items are judged `concurrency` at once; two copies of one story judged at the same time
   * meet at the ledger's claim instead.
   */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ProcessorDeps) {
    this.now = deps.now ?? Date.now;
  }

  get waitingCount(): number {
    return this.waiting.size;
  }

  /**
   * Processes a feed's new items in order. Items already decided (by this node before a restart,
   * or by another node) are skipped; answers how many were new. Rejects only when the ledger cannot be read (store down):
   * the poll then fails and the same items come back next time.
   */
  process(batch: FetchedItem[]): Promise<number> {
    const run = this.queue.then(() => this.processNow(batch));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async processNow(batch: FetchedItem[]): Promise<number> {
    if (batch.length === 0) return 0;
    const ids = batch.map((b) => b.item.id).filter((id) => !this.waiting.has(id));
    const done = await this.deps.ledger.decided(ids);
    const fresh = batch.filter((b) => !done.has(b.item.id) && !this.waiting.has(b.item.id));
    if (fresh.length === 0) return 0;
    const oldest = Math.min(...fresh.map((b) => Date.parse(b.item.publishedAt)));
    const since = new Date(
      (Number.isFinite(oldest) ? oldest : this.now()) - SAME_STORY_WINDOW_MS,
    ).toISOString();
    const stories = await this.deps.ledger.recentStories(since);
    await eachAtMost(this.deps.concurrency ?? 1, fresh, (b) => this.processOne(b, stories));
    return fresh.length;
  }

  /** Publishes the signals of items that waited for the store; called on a timer. */
  async retryWaiting(): Promise<void> {
    for (const [id, w] of [...this.waiting]) {
      try {
        await this.publish(w.fetched, w.signals, w.record);
        this.waiting.delete(id);
      } catch (err) {
        if (!isStoreDown(err)) throw err;
        return; // still down: keep the rest for the next round, in order
      }
    }
  }

  private base(b: FetchedItem): Omit<ItemRecord, 'stage' | 'decision' | 'reason'> {
    const { item } = b;
    const r: Omit<ItemRecord, 'stage' | 'decision' | 'reason'> = {
      id: item.id,
      feed: item.feed,
      title: item.title.slice(0, 300),
      tickers: item.tickers,
      key: item.key,
      published_at: item.publishedAt,
      decided_at: new Date(this.now()).toISOString(),
    };
    if (item.url) r.url = item.url;
    return r;
  }

  private async decide(b: FetchedItem, stage: Stage, decision: Decision, reason: string, detail?: string) {
    const record: ItemRecord = { ...this.base(b), stage, decision, reason };
    if (detail) record.detail = detail.slice(0, 500);
    this.deps.events?.onDecision?.(stage, decision, b.item, reason);
    await this.deps.ledger.record(record);
  }

  private async processOne(b: FetchedItem, stories: StoryFingerprint[]): Promise<void> {
    const { item } = b;
    const age = this.now() - Date.parse(item.publishedAt);
    if (age > this.deps.maxItemAgeMs)
      return this.decide(b, 'normalize', 'stale', 'stale', `published ${Math.round(age / 3600_000)} h ago`);
    if (item.tickers.length === 0)
      return this.decide(b, 'enrich', 'dropped', 'no_ticker', 'no listed company named');
    const story = fingerprint(item);
    const dup = findDuplicate(story, stories);
    if (dup) return this.decide(b, 'dedup', 'dropped', 'duplicate_story', `same story as ${dup.id}`);
    const pre = prescale(item, this.deps.keywords);
    if (!pre.pass) return this.decide(b, 'prescale', 'dropped', pre.reason, pre.detail);

    const judged = await this.judge(item, pre);
    if (typeof judged === 'string') return this.decide(b, 'classify', 'dropped', 'not_catalyst', judged);
    const classifiedAt = new Date(this.now()).toISOString();
    const market = await this.marketFacts(item.tickers);
    const signals = buildSignals(item, judged, this.deps.keywords, {
      market,
      metadata: {
        timeline: {
          published_at: item.publishedAt,
          fetched_at: b.fetchedAt,
          classified_at: classifiedAt,
          scored_at: new Date(this.now()).toISOString(),
        },
      },
    });
    if (signals.length === 0)
      return this.decide(b, 'score', 'dropped', 'no_valid_ticker', `tickers ${item.tickers.join(', ')}`);
    stories.push(story);
    const record: ItemRecord = {
      ...this.base(b),
      stage: 'publish',
      decision: 'kept',
      reason: judged.classifier === 'llm' ? 'llm_confirmed' : 'keywords',
      detail: judged.reason.slice(0, 300),
      signal_ids: signals.map((s) => s.id),
      story,
    };
    try {
      await this.publish(b, signals, record);
    } catch (err) {
      if (!isStoreDown(err)) throw err;
      // The store is the truth and it is down: the item waits here (in order) and is retried.
      this.waiting.set(item.id, { fetched: b, signals, record });
      this.deps.events?.onDecision?.('publish', 'waiting', item, 'store_unavailable');
      this.deps.log.warn({ item: item.id }, 'store unavailable: the item waits and will be retried');
    }
  }

  private async publish(b: FetchedItem, signals: SignalInput[], record: ItemRecord): Promise<void> {
    const story = record.story;
    if (story) {
      // The check at the dedup stage used the stories known when the batch began; another node may
      // have claimed the same story from another wire since (while this one was being judged).
      const published = Date.parse(story.publishedAt);
      const since = new Date((Number.isFinite(published) ? published : this.now()) - SAME_STORY_WINDOW_MS);
      const claim: ItemRecord & { story: StoryFingerprint } = {
        ...record,
        story,
        decision: 'waiting',
        decided_at: new Date(this.now()).toISOString(),
      };
      const dup = await this.deps.ledger.claimStory(claim, since.toISOString(), (recent) =>
        findDuplicate(story, recent),
      );
      if (dup)
        return this.decide(
          b,
          'dedup',
          'dropped',
          'duplicate_story',
          `same story as ${dup.id} (claimed meanwhile)`,
        );
    }
    const results = await this.deps.publish(signals);
    const refused = results.filter((r) => 'error' in r);
    if (refused.length > 0) {
      const why = refused.map((r) => ('error' in r ? `${r.error.code}: ${r.error.message}` : '')).join('; ');
      return this.decide(b, 'publish', 'failed', 'rejected', why);
    }
    for (const r of results)
      if ('created_at' in r)
        this.deps.events?.onPublished?.((Date.parse(r.created_at) - Date.parse(b.item.publishedAt)) / 1000);
    record.decided_at = new Date(this.now()).toISOString();
    this.deps.events?.onDecision?.('publish', 'kept', b.item, record.reason);
    await this.deps.ledger.record(record);
  }

  /** The LLM's judgement, the keyword model's when the LLM is absent or failing, or why it is not a catalyst. */
  private async judge(item: NewsItem, pre: ReturnType<typeof prescale>): Promise<Judgement | string> {
    const { classifier, events } = this.deps;
    // Without an LLM configured the keyword model is the classifier, not a fallback.
    if (!classifier) return keywordJudgement(pre);
    try {
      const c = await classifier.classify({
        title: item.title,
        summary: item.summary.slice(0, 2000),
        tickers: item.tickers,
        source: item.feed,
        hints: pre.matches.map((m) => m.name),
      });
      events?.onLlmCall?.('ok');
      if (!keepClassification(c))
        return `LLM: ${c.is_catalyst ? `score ${c.score}` : 'not a catalyst'} (${c.reason})`;
      return llmJudgement(c, pre);
    } catch (err) {
      const outcome = llmOutcome(err);
      events?.onLlmCall?.(outcome);
      events?.onKeywordFallback?.(outcome);
      this.deps.log.debug({ err, item: item.id }, 'LLM unavailable: the keyword model decides');
      return keywordJudgement(pre);
    }
  }

  private async marketFacts(tickers: string[]): Promise<Record<string, MarketFacts>> {
    const md = this.deps.marketData;
    const missing = { baseline: 'not_configured', todayVolume: 'not_configured', shares: 'not_configured' };
    const entries = await Promise.all(
      tickers.map(
        async (t) =>
          [t, md ? await gatherMarketFacts(md, t, this.deps.marketDataDeadlineMs) : { missing }] as const,
      ),
    );
    return Object.fromEntries(entries);
  }
}
