// The PipelineLedger port: what the pipeline remembers across restarts and nodes. Implemented by the
// event store's adapters (one database), reached through the store's guard like every store call.
//
// Contract:
// - `record` is an upsert by item id: the last decision about an item wins (a `waiting` item that
//   is later published becomes `kept`). `decided` names the ids with a final decision, so a re-poll,
//   a restart or another node skips them; `failed` and `waiting` are not final.
// - `claimStory` checks a story against the recent ones and records its item as `waiting` (about
//   to be published) in one step, serialised across every node sharing the ledger: of two nodes
//   judging the same story from two wires at once, one claims it and the other is told whose it is.
//   `recentStories` includes claimed (`waiting`) items, so a claim counts from the moment it is made.
// - `lease` is a time-bounded lock per feed: true when `holder` now holds it until now + ttlMs;
//   false while another holder's lease is unexpired. A holder that dies loses it at expiry.
import type { StoryFingerprint } from './dedup.js';
import type { FeedKind } from './item.js';

export const STAGES = [
  'fetch',
  'normalize',
  'dedup',
  'enrich',
  'prescale',
  'classify',
  'score',
  'publish',
] as const;
export type Stage = (typeof STAGES)[number];

export const DECISIONS = ['kept', 'dropped', 'stale', 'failed', 'waiting'] as const;
export type Decision = (typeof DECISIONS)[number];

/** Decisions after which an item is never looked at again. */
export const FINAL_DECISIONS: readonly Decision[] = ['kept', 'dropped', 'stale'];

export interface ItemRecord {
  id: string;
  feed: string;
  stage: Stage;
  decision: Decision;
  /** A short machine word (law_firm_promotion, no_ticker, not_catalyst, duplicate_story...). */
  reason: string;
  /** One line for people. */
  detail?: string;
  title: string;
  tickers: string[];
  url?: string;
  key: string;
  published_at: string;
  decided_at: string;
  /** The signals it became (ids), when kept. */
  signal_ids?: string[];
  /** Kept items only: what the same story on another wire is compared with. */
  story?: StoryFingerprint;
}

export interface FeedState {
  name: string;
  kind: FeedKind;
  url: string;
  last_poll_at: string | null;
  last_success_at: string | null;
  last_error: { message: string; at: string } | null;
  /** Items in the last successful poll, and new items since start. */
  last_items: number;
  new_items: number;
  /** The node that polled it last. */
  polled_by: string | null;
  /**
   * The breaker of the feed's host on that node after its last poll (`open`: polls are refused
   * at once until a trial gets through); null before the first poll.
   */
  breaker: 'closed' | 'half_open' | 'open' | null;
}

export interface ItemQuery {
  decision?: Decision;
  stage?: Stage;
  feed?: string;
  limit: number;
}

export interface PipelineLedger {
  decided(ids: string[], signal?: AbortSignal): Promise<Set<string>>;
  record(item: ItemRecord, signal?: AbortSignal): Promise<void>;
  /** Stories of items kept or claimed (`waiting`) with published_at at or after `since`. */
  recentStories(since: string, signal?: AbortSignal): Promise<StoryFingerprint[]>;
  /**
   * Unless `repeats` finds the story `item` repeats among the recent ones (as recentStories(since)),
   * records `item` (decision `waiting`, its story set); both under one lock. Returns the story
   * repeated, if any, and then records nothing.
   */
  claimStory(
    item: ItemRecord & { story: StoryFingerprint },
    since: string,
    repeats: (recent: StoryFingerprint[]) => StoryFingerprint | undefined,
    signal?: AbortSignal,
  ): Promise<StoryFingerprint | undefined>;
  /** Newest decisions first. */
  items(q: ItemQuery, signal?: AbortSignal): Promise<ItemRecord[]>;
  /** How many items each stage decided, by decision: the funnel. */
  funnel(signal?: AbortSignal): Promise<{ stage: Stage; decision: Decision; items: number }[]>;
  saveFeed(state: FeedState, signal?: AbortSignal): Promise<void>;
  feeds(signal?: AbortSignal): Promise<FeedState[]>;
  lease(feed: string, holder: string, ttlMs: number, signal?: AbortSignal): Promise<boolean>;
  releaseLease(feed: string, holder: string, signal?: AbortSignal): Promise<void>;
}
