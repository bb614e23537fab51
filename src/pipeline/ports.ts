// What the pipeline's stages receive from the composition root, each already behind its guard
// (src/resilience/guarded-pipeline.ts): a failure rejects with CatalystError('unavailable').
import type { Classification, ClassifyInput } from './classifier-port.js';

export type { MarketData } from './market-data-port.js';

/** One feed document, read and parsed inside the feed host's dependency call. */
export type FeedRead<T> = { notModified: true } | { notModified: false; value: T; bytes: number };

export interface FeedSource {
  /**
   * GET `url` (conditional on the last successful read) and parse the body with `parse` inside the
   * same guarded call, so a block page or a truncated document counts against the host's breaker.
   */
  read<T>(url: string, parse: (body: string) => T, signal?: AbortSignal): Promise<FeedRead<T>>;
  /**
   * The next read of `url` is unconditional: what the last one parsed could not be handed on (the
   * store was down), and a 304 would hide those items until the document changes.
   */
  forget(url: string): void;
}

export interface Classifier {
  classify(input: ClassifyInput, signal?: AbortSignal): Promise<Classification>;
}
