// Reads rate limits from the environment: CATALYST_RATE_<LIMITER>=<points>/<window>, e.g.
//   CATALYST_RATE_PUBLISH_PER_TOKEN=200/1s  CATALYST_RATE_WS_CONNECTS_PER_IP=30/1m
// <window> is a whole number of seconds, minutes or hours (`1s`, `60s`, `1m`, `1h`; a bare number
// is seconds). Every mistake is reported at once, naming the variable.
import {
  LIMITER_LABELS,
  type LimiterName,
  type RateLimitConfig,
  type RateLimitRule,
} from '../resilience/rate-limits.js';
import { ConfigError } from './error.js';

export const RATE_ENV_PREFIX = 'CATALYST_RATE_';

const UNIT_SEC: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** Env variable name of each limiter: CATALYST_RATE_PUBLISH_PER_TOKEN... */
export const RATE_ENV_NAMES = Object.fromEntries(
  (Object.entries(LIMITER_LABELS) as Array<[LimiterName, string]>).map(([name, label]) => [
    name,
    `${RATE_ENV_PREFIX}${label.toUpperCase()}`,
  ]),
) as Record<LimiterName, string>;

/** The limits the environment sets (others keep their defaults); throws ConfigError. */
export function parseRateLimitEnv(
  env: NodeJS.ProcessEnv | Record<string, string | undefined>,
): Partial<RateLimitConfig> {
  const byVariable = new Map(
    Object.entries(RATE_ENV_NAMES).map(([name, variable]) => [variable, name as LimiterName]),
  );
  const out: Partial<RateLimitConfig> = {};
  const problems: string[] = [];
  for (const [variable, raw] of Object.entries(env)) {
    if (!variable.startsWith(RATE_ENV_PREFIX) || raw === undefined) continue;
    const name = byVariable.get(variable);
    if (!name) {
      problems.push(`${variable}: unknown limiter; expected one of ${[...byVariable.keys()].join(', ')}`);
      continue;
    }
    const rule = parseRule(raw);
    if (rule) out[name] = rule;
    else
      problems.push(
        `${variable}: expected <points>/<window> such as 100/1s or 30/1m (whole numbers, points >= 1), got "${raw}"`,
      );
  }
  if (problems.length) throw new ConfigError(problems, 'invalid rate limit environment');
  return out;
}

function parseRule(raw: string): RateLimitRule | undefined {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*([smh]?)\s*$/.exec(raw);
  if (!m) return undefined;
  const points = Number(m[1]);
  const durationSec = Number(m[2]) * UNIT_SEC[m[3] || 's']!;
  return points >= 1 && durationSec >= 1 ? { points, durationSec } : undefined;
}
