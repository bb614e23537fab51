// The drills' publishes: signals over three tickers through the real REST API, each remembered by
// the seq its acknowledgement named.
import { type CatalystNodeProcess, publish } from '../../support/node.js';
import { makeSignal } from '../../support/signals.js';
import type { Entry } from './subscriber.js';

export const TICKERS = ['AAA', 'BBB', 'CCC'];

/** Publishes the i-th signal of the workload (ticker by i) and returns its acknowledged entry. */
export async function publishEntry(node: CatalystNodeProcess, token: string, i: number): Promise<Entry> {
  const s = makeSignal({ ticker: TICKERS[i % TICKERS.length] as string });
  return [(await publish(node.url, token, s)).seq, s.id, s.ticker];
}
