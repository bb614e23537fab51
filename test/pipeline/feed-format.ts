// Assertions shared by the feed parser tests: a body that is not a feed throws FeedFormatError
// with the expected reason, never an empty list.
import assert from 'node:assert/strict';
import { FeedFormatError, type FeedFormatReason } from '../../src/pipeline/feeds/format-error.js';

export function assertFeedFormatError(fn: () => unknown, reason: FeedFormatReason, what: string): void {
  assert.throws(
    fn,
    (err: unknown) => err instanceof FeedFormatError && err.reason === reason,
    `${what}: expected FeedFormatError(${reason})`,
  );
}

/** Cut points through the whole document: a body cut anywhere is a failure, never items. */
export function cutPoints(body: string, n = 25): number[] {
  return Array.from({ length: n }, (_, i) => Math.floor(((i + 1) * body.trimEnd().length) / (n + 1)));
}
