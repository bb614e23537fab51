// An ItemProcessor as the pipeline role builds one, at a fixed clock, publishing into an array
// (what the store would have acknowledged), for tests of the judging flow over a real ledger.
import type { SignalInput } from '../../src/domain/signal.js';
import { ItemProcessor, type ProcessorDeps } from '../../src/pipeline/item-processor.js';
import { loadKeywords } from '../../src/pipeline/keywords.js';
import type { PipelineLedger } from '../../src/pipeline/ledger.js';

export function testProcessor(
  ledger: PipelineLedger,
  published: SignalInput[],
  now: number,
  extra: Partial<ProcessorDeps> = {},
): ItemProcessor {
  return new ItemProcessor({
    ledger,
    publish: async (signals) =>
      signals.map((s) => {
        published.push(s);
        return {
          status: 201 as const,
          seq: published.length,
          id: s.id,
          created_at: new Date(now).toISOString(),
        };
      }),
    keywords: loadKeywords(),
    maxItemAgeMs: 24 * 3600_000,
    marketDataDeadlineMs: 100,
    log: { warn: () => undefined, debug: () => undefined },
    now: () => now,
    ...extra,
  });
}
