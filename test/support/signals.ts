// Test fixtures: valid signals with overridable fields.
import type { SignalInput } from '../../src/domain/signal.js';

let counter = 0;

export function makeSignal(over: Partial<SignalInput> = {}): SignalInput {
  counter += 1;
  return {
    id: `test-${process.pid}-${Date.now().toString(36)}-${counter}`,
    ticker: 'NBTX',
    title: 'Nanobiotix receives FDA Fast Track designation',
    source: 'globenewswire',
    catalyst: 'fda',
    sentiment: 0.6,
    confidence: 0.82,
    published_at: '2026-11-23T14:05:00.000Z',
    ...over,
  };
}
