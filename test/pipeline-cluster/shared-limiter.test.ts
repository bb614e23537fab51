// The limiter SEC's pacing is shared through, on the real Redis: a rate that is no whole number of
// milliseconds apart (7/s) still grants every slot, and disconnect() closes its Redis connections
// (left open, they kept a stopped pipeline node's process alive).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { sharedLimiter } from '../../src/resilience/shared-limiter.js';
import { REDIS_URL, requireRedis } from '../support/servers.js';
import { waitFor, withDeadline } from '../support/wait.js';
import { deleteKeys } from '../cluster/support/cluster.js';

describe('shared limiter on Redis', () => {
  it('paces 7/s across queued jobs and closes its connections on disconnect', async (t) => {
    if (!(await requireRedis(t))) return;
    // Bottleneck's keys are b_<id>_...: the `:limit` keeps them under one prefix to delete.
    const prefix = `b_catalyst-test-${process.pid}-${randomBytes(4).toString('hex')}`;
    const id = `${prefix.slice(2)}:limit`;
    t.after(() => deleteKeys(REDIS_URL, prefix));
    const redis = new Redis(REDIS_URL, { enableOfflineQueue: true });
    const limiter = sharedLimiter({ id, minTimeMs: 1000 / 7, redis });
    t.after(() => redis.disconnect());

    const starts: number[] = [];
    const jobs = Array.from({ length: 4 }, () => limiter.schedule(async () => void starts.push(Date.now())));
    await withDeadline(Promise.all(jobs), 'four jobs queued at once to run', 5000);
    // Paced by Redis's clock; seen here with a few ms of local scheduling noise per start.
    const span = (starts.at(-1) as number) - (starts[0] as number);
    assert.ok(span >= 3 * (1000 / 7) - 25, `four starts over ${span} ms, paced at 7/s`);

    await limiter.stop({ dropWaitingJobs: true });
    await withDeadline(limiter.disconnect(), 'disconnect', 5000);
    await waitFor(() => redis.status === 'end', 'the Redis client given to the limiter to close', 2000);
  });
});
