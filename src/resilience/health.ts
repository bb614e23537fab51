// The readiness view of one dependency (GET /health/ready): its breaker and last latency, in the
// words an operator reads. Whether a node is ready also depends on which dependencies its role
// requires; that judgement belongs to the health route, not here.
import type { BreakerState } from '../observability/metrics.js';
import type { DependencySnapshot } from './dependency.js';

export interface DependencyReadiness {
  /** ok: closed; degraded: half-open (a probe decides); down: open (calls are refused). */
  state: 'ok' | 'degraded' | 'down';
  breaker: BreakerState;
  latency_ms: number | null;
  /** The last failure, shown while the breaker is not closed. */
  error?: string;
}

const STATE: Record<BreakerState, DependencyReadiness['state']> = {
  closed: 'ok',
  half_open: 'degraded',
  open: 'down',
};

export function readinessOf(snap: DependencySnapshot): DependencyReadiness {
  const out: DependencyReadiness = {
    state: STATE[snap.state],
    breaker: snap.state,
    latency_ms: snap.last_latency_ms,
  };
  if (snap.state !== 'closed' && snap.last_error) out.error = snap.last_error.message;
  return out;
}
