// The pipeline's ledger as the pipeline sees it: every call through the store's Dependency (it lives
// in the store's database), reads retried, writes not.
import type { PipelineLedger } from '../pipeline/ledger.js';
import type { Dependency } from './dependency.js';
import { portCalls } from './port-calls.js';

export function guardLedger(ledger: PipelineLedger, dep: Dependency): PipelineLedger {
  const { read, write } = portCalls(dep);
  return {
    decided: (ids, signal) => read((s) => ledger.decided(ids, s), signal),
    // An upsert by id: repeating it is harmless.
    record: (item, signal) => read((s) => ledger.record(item, s), signal),
    recentStories: (since, signal) => read((s) => ledger.recentStories(since, s), signal),
    // Retried: a repeated claim of the same item finds its own entry, which is not a repeat.
    claimStory: (item, since, repeats, signal) =>
      read((s) => ledger.claimStory(item, since, repeats, s), signal),
    items: (q, signal) => read((s) => ledger.items(q, s), signal),
    funnel: (signal) => read((s) => ledger.funnel(s), signal),
    saveFeed: (state, signal) => read((s) => ledger.saveFeed(state, s), signal),
    feeds: (signal) => read((s) => ledger.feeds(s), signal),
    lease: (feed, holder, ttlMs, signal) => write((s) => ledger.lease(feed, holder, ttlMs, s), signal),
    releaseLease: (feed, holder, signal) => write((s) => ledger.releaseLease(feed, holder, s), signal),
  };
}
