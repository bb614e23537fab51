// Reads dependency policy overrides from the environment: CATALYST_DEP_<NAME>_<SETTING>=<value>.
//   NAME     STORE (SQLite or PostgreSQL), BUS, REDIS (the rate limiters'), LLM, MARKET_DATA,
//            FEED (every feed host), FEED_<HOST> (one feed host: www.sec.gov is FEED_WWW_SEC_GOV)
//   SETTING  see SETTINGS below, e.g. CATALYST_DEP_STORE_TIMEOUT_MS=1500,
//            CATALYST_DEP_LLM_BREAKER_RESET_MS=60000, CATALYST_DEP_FEED_WWW_SEC_GOV_RETRY_ATTEMPTS=3
// A mistake is an error naming the variable and what is wrong, all problems at once: a typo in an
// operator's env must stop the start, not silently leave a default in force.
import type { DependencyPolicyOverride } from '../resilience/policy.js';
import { ConfigError } from './error.js';
import { DEFAULT_POLICIES, FEED_DEFAULT_KEY, policyKey } from '../resilience/policy.js';

export const POLICY_ENV_PREFIX = 'CATALYST_DEP_';

type Setting = {
  apply: (o: DependencyPolicyOverride, v: number) => void;
  min: number;
  max?: number;
  integer: boolean;
  what: string;
};

const ms = (apply: Setting['apply'], min = 1): Setting => ({
  apply,
  min,
  integer: true,
  what: 'a whole number of milliseconds',
});
const count = (apply: Setting['apply'], min = 1): Setting => ({
  apply,
  min,
  integer: true,
  what: 'a whole number',
});

export const SETTINGS: Record<string, Setting> = {
  TIMEOUT_MS: ms((o, v) => (o.timeoutMs = v)),
  BREAKER_VOLUME: count((o, v) => ((o.breaker ??= {}).volumeThreshold = v)),
  BREAKER_ERROR_PCT: {
    apply: (o, v) => ((o.breaker ??= {}).errorThresholdPercentage = v),
    min: 1,
    max: 100,
    integer: false,
    what: 'a percentage',
  },
  BREAKER_RESET_MS: ms((o, v) => ((o.breaker ??= {}).resetTimeoutMs = v)),
  BREAKER_WINDOW_MS: ms((o, v) => ((o.breaker ??= {}).rollingCountTimeoutMs = v), 10),
  RETRY_ATTEMPTS: count((o, v) => ((o.retry ??= {}).attempts = v)),
  RETRY_BASE_MS: ms((o, v) => ((o.retry ??= {}).baseDelayMs = v), 0),
  RETRY_MAX_MS: ms((o, v) => ((o.retry ??= {}).maxDelayMs = v), 0),
  LIMIT_CONCURRENCY: count((o, v) => ((o.limiter ??= {}).maxConcurrent = v)),
  LIMIT_MIN_TIME_MS: ms((o, v) => ((o.limiter ??= {}).minTimeMs = v), 0),
};

/** The NAMEs a variable may carry: a misspelt one would otherwise configure nothing, silently. */
const DEPENDENCY_NAMES = [
  ...Object.keys(DEFAULT_POLICIES)
    .filter((k) => k !== FEED_DEFAULT_KEY)
    .map((k) => k.toUpperCase()),
  'FEED',
  'FEED_<HOST>',
].join(', ');

// Longest first, so a setting that ends another's name can never shadow it.
const SUFFIXES = Object.keys(SETTINGS).sort((a, b) => b.length - a.length);

/** Overrides keyed by policy key (`store`, `feed:*`, `feed:www_sec_gov`); throws ConfigError. */
export function parsePolicyEnv(
  env: NodeJS.ProcessEnv | Record<string, string | undefined>,
): Record<string, DependencyPolicyOverride> {
  const out: Record<string, DependencyPolicyOverride> = {};
  const problems: string[] = [];
  for (const [variable, raw] of Object.entries(env)) {
    if (!variable.startsWith(POLICY_ENV_PREFIX) || raw === undefined) continue;
    const rest = variable.slice(POLICY_ENV_PREFIX.length);
    const suffix = SUFFIXES.find((s) => rest.endsWith(`_${s}`) && rest.length > s.length + 1);
    if (!suffix) {
      problems.push(
        `${variable}: unknown setting; expected ${POLICY_ENV_PREFIX}<NAME>_<SETTING> with SETTING one of ${Object.keys(SETTINGS).join(', ')}`,
      );
      continue;
    }
    const setting = SETTINGS[suffix]!;
    const value = parseValue(raw, setting);
    if (typeof value === 'string') {
      problems.push(`${variable}: ${value}`);
      continue;
    }
    const name = rest.slice(0, -(suffix.length + 1));
    const key = dependencyKey(name);
    if (!(key in DEFAULT_POLICIES) && !key.startsWith('feed:')) {
      problems.push(`${variable}: unknown dependency ${name}; expected one of ${DEPENDENCY_NAMES}`);
      continue;
    }
    setting.apply((out[key] ??= {}), value);
  }
  if (problems.length) throw new ConfigError(problems, 'invalid dependency policy environment');
  return out;
}

function dependencyKey(envName: string): string {
  if (envName === 'FEED') return FEED_DEFAULT_KEY;
  if (envName.startsWith('FEED_')) return `feed:${policyKey(envName.slice(5))}`;
  return policyKey(envName);
}

/** The number, or a sentence saying what is wrong with the text. */
function parseValue(raw: string, s: Setting): number | string {
  const text = raw.trim();
  const v = Number(text);
  const range = s.max === undefined ? `>= ${s.min}` : `from ${s.min} to ${s.max}`;
  const expected = `expected ${s.what} ${range}, got "${raw}"`;
  if (text === '' || !Number.isFinite(v)) return expected;
  if (s.integer && !Number.isInteger(v)) return expected;
  if (v < s.min || (s.max !== undefined && v > s.max)) return expected;
  return v;
}
