// Exports one opossum breaker's state to Prometheus and the logs. Written here rather than taken
// from opossum-prometheus, which pins prom-client 12, has no state gauge, never reports half-open
// and wipes the whole registry on clear().
import type CircuitBreaker from 'opossum';
import type { Logger } from '../observability/logger.js';
import { BREAKER_STATE_VALUE, type BreakerState, type Metrics } from '../observability/metrics.js';

export function breakerState(breaker: CircuitBreaker<any[], any>): BreakerState {
  if (breaker.opened) return 'open';
  if (breaker.halfOpen) return 'half_open';
  return 'closed';
}

export interface BreakerExport {
  dependency: string;
  metrics: Pick<Metrics, 'breakerState' | 'breakerTransitions'>;
  logger: Logger;
  /** Extra fields for the transition log line (last error, reset timeout...). */
  context: () => Record<string, unknown>;
}

/**
 * Sets the state gauge now and on every transition, counts transitions by the state entered, and
 * logs one line per transition (warn when opening: that is when on-call wants to know).
 */
export function exportBreaker(breaker: CircuitBreaker<any[], any>, opts: BreakerExport): void {
  const { dependency, metrics, logger } = opts;
  let current: BreakerState = breakerState(breaker);
  metrics.breakerState.set({ dependency }, BREAKER_STATE_VALUE[current]);
  const enter = (to: BreakerState) => () => {
    const from = current;
    current = to;
    metrics.breakerState.set({ dependency }, BREAKER_STATE_VALUE[to]);
    metrics.breakerTransitions.inc({ dependency, to });
    const line = { dependency, breaker_from: from, breaker_to: to, ...opts.context() };
    const msg = `breaker ${dependency}: ${from} -> ${to}`;
    if (to === 'open') logger.warn(line, msg);
    else logger.info(line, msg);
  };
  breaker.on('open', enter('open'));
  breaker.on('halfOpen', enter('half_open'));
  breaker.on('close', enter('closed'));
}
