// A poll that outlasts the feed's lease (SEC hanging on a request, up to the feed's 10 s timeout)
// keeps its lease while its node lives: the other pipeline node must not start polling the same
// feed in the meantime.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requirePostgres, requireRedis } from '../support/servers.js';
import { waitFor } from '../support/wait.js';
import { PipelineCluster, withLogsOnFailure } from './support.js';

const LEASE_MS = 2000;
// Several lease lengths, still inside the hung request's 10 s timeout.
const WATCH_MS = 3 * LEASE_MS;

describe('pipeline cluster: a poll longer than the lease', () => {
  it('the holder keeps its lease while it polls; the other node waits', { timeout: 90_000 }, async (t) => {
    if (!(await requirePostgres(t)) || !(await requireRedis(t))) return;
    let pc: PipelineCluster | undefined;
    await withLogsOnFailure(
      () => pc,
      'slow-poll',
      async () => {
        pc = await PipelineCluster.start(t, {
          pipelineNodes: 2,
          env: { CATALYST_FEED_LEASE_MS: String(LEASE_MS) },
          feeds: (fake) => [
            { kind: 'sec_edgar', name: 'sec', url: fake.secUrl(), forms: ['8-K', '4'], interval_ms: 1000 },
          ],
        });
        const { fake } = pc;
        await waitFor(
          async () => (await pc!.feedStates()).find((f) => f.name === 'sec')?.last_success_at,
          'a first poll of the SEC feed',
          30_000,
          100,
        );
        const hangFrom = Date.now();
        fake.setFault('sec', { kind: 'hang', times: 1 });
        const hung = await waitFor(
          () => fake.requestsTo('sec').find((r) => r.at >= hangFrom),
          'the holder asking SEC',
          10_000,
        );
        await waitFor(
          () => Date.now() - hung.at >= WATCH_MS || undefined,
          `${WATCH_MS} ms of hanging`,
          WATCH_MS + 5000,
          100,
        );
        const during = fake.requestsTo('sec').filter((r) => r.at > hung.at && r.at < hung.at + WATCH_MS);
        assert.deepEqual(
          during.map((r) => `${r.query.type} at +${r.at - hung.at} ms`),
          [],
          'no SEC poll by anyone while the holder waits on SEC',
        );
      },
    );
  });
});
