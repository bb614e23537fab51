// A subscriber for the drills: a real CatalystClient that resumes by itself, and a log of what it
// was given, signals and resets in order, so a drill can check "its exact history or an explicit
// reset, never a silent gap".
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { CatalystClient } from '../../../src/client/index.js';
import type { Signal } from '../../../src/domain/signal.js';
import { waitFor } from '../../support/wait.js';

/** One acknowledged publish: seq, id, ticker. */
export type Entry = readonly [seq: number, id: string, ticker: string];

export class DrillSubscriber {
  readonly client: CatalystClient;
  readonly log: Array<{ signal: Signal } | { reset: string }> = [];

  constructor(
    t: TestContext,
    url: string,
    token: string,
    private readonly opts: { ticker?: string; replayAll?: boolean } = {},
  ) {
    this.client = new CatalystClient({
      url,
      token,
      ...(opts.ticker ? { filters: { tickers: [opts.ticker] } } : {}),
      ...(opts.replayAll ? { onEpochChange: 'replay-all' as const } : {}),
      reconnect: { minDelayMs: 20, maxDelayMs: 200 },
    });
    this.client.on('signal', (signal) => this.log.push({ signal }));
    this.client.on('reset', (e) => this.log.push({ reset: e.reason }));
    t.after(() => this.client.close());
  }

  readonly matches = (e: Entry) => !this.opts.ticker || e[2] === this.opts.ticker;

  seqs(): number[] {
    return this.log.flatMap((e) => ('signal' in e ? [e.signal.seq] : []));
  }

  /** The first reset's reason, and the [seq, id] pairs received before and after it. */
  view() {
    const at = this.log.findIndex((e) => 'reset' in e);
    const pairs = (from: number, to?: number) =>
      this.log.slice(from, to).flatMap((e) => ('signal' in e ? [[e.signal.seq, e.signal.id]] : []));
    return {
      reset: at < 0 ? undefined : (this.log[at] as { reset: string }).reset,
      before: pairs(0, at < 0 ? undefined : at),
      after: at < 0 ? [] : pairs(at + 1),
    };
  }
}

/** The [seq, id] pairs of the entries this subscriber's filter matches. */
export const matching = (sub: DrillSubscriber, entries: readonly Entry[]) =>
  entries.filter(sub.matches).map(([seq, id]) => [seq, id]);

/**
 * What a drill proves for each subscriber once history was replaced: the exact history it saw before,
 * an explicit `epoch_changed` reset (never a silent gap), then exactly `wantAfter` (its matches).
 */
export async function assertResetThenHistory(
  sub: DrillSubscriber,
  history: readonly Entry[],
  wantAfter: readonly Entry[],
  what: string,
): Promise<void> {
  await waitFor(
    () => sub.view().after.length >= wantAfter.filter(sub.matches).length,
    'the new signals',
    20_000,
  );
  const v = sub.view();
  assert.equal(v.reset, 'epoch_changed', 'an explicit reset, never a silent gap');
  assert.deepEqual(v.before, matching(sub, history), 'the exact history before it');
  assert.deepEqual(v.after, matching(sub, wantAfter), `the ${what} history after it`);
}
