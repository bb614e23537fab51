// Every chaos scenario, in the order `npm run chaos` runs them, and the ones this suite does not do
// yet, each with the reason (printed as such, never as a pass).
import { nodeKilled } from './nodes.js';
import {
  feedBlockPage,
  llmErrors,
  llmGarbage,
  llmRateLimited,
  llmTimeouts,
  marketDataDown,
  marketDataRateLimited,
} from './pipeline.js';
import { postgresDown, postgresReset, postgresRestarted, postgresSlow } from './postgres.js';
import { redisDown, redisLatency, redisPartition, redisReset, redisRestartedEmpty } from './redis.js';
import { reconnectStorm, slowConsumers } from './subscribers.js';
import type { ScenarioDef } from './support/scenario.js';

export const SCENARIOS: ScenarioDef[] = [
  redisDown,
  redisLatency,
  redisReset,
  redisRestartedEmpty,
  postgresDown,
  postgresSlow,
  postgresReset,
  postgresRestarted,
  nodeKilled,
  slowConsumers,
  reconnectStorm,
  llmErrors,
  llmTimeouts,
  llmGarbage,
  llmRateLimited,
  marketDataDown,
  marketDataRateLimited,
  feedBlockPage,
  redisPartition,
];

/** Scenarios of issue 12 not done here, and why. */
export const NOT_DONE: Record<string, string> = {
  'postgres-failover':
    'not done yet (PrivatePostgres.standbyOf exists; repointing the pg proxy at the promoted standby is the missing step)',
  'feed-slow-truncated': 'not done yet (the feeds are plain HTTP stand-ins, not behind the fault proxy)',
  'clock-jump': 'not done (no way here to move one node process clock without faking time inside it)',
};
