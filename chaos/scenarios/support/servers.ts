// The scenarios need the shared PostgreSQL and Redis (they reach them through the fault proxy).
// Without them outside CI the run says what is missing and stops; under CI=true that is a failure.
import { POSTGRES_URL, REDIS_URL, reachable } from '../../../test/support/servers.js';

const at = (url: string, port: number) => {
  const u = new URL(url);
  return reachable(u.hostname, Number(u.port || port));
};

export async function requirePostgresAndRedis(): Promise<boolean> {
  const missing = [
    ...((await at(POSTGRES_URL, 5432)) ? [] : [`PostgreSQL at ${POSTGRES_URL} (set TEST_DATABASE_URL)`]),
    ...((await at(REDIS_URL, 6379)) ? [] : [`Redis at ${REDIS_URL} (set TEST_REDIS_URL)`]),
  ];
  if (missing.length === 0) return true;
  const why = process.env.CI === 'true' ? 'CI=true and' : 'skipped:';
  process.stderr.write(`chaos: ${why} no ${missing.join(', no ')}\n`);
  return false;
}
