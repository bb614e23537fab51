// SEC counts its fair-access limit per user across all machines: two pipeline nodes bursting
// through many form types at once must together stay at or under CATALYST_SEC_REQUESTS_PER_SECOND
// (8), paced through the shared Redis, with the declared User-Agent on every request; and a feed
// both nodes are configured with is polled by one of them at a time (its lease in PostgreSQL).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordedRequest } from '../../src/demo/fake-feeds.js';
import { requirePostgres, requireRedis } from '../support/servers.js';
import { waitFor } from '../support/wait.js';
import { type FeedEntry, PipelineCluster, SEC_USER_AGENT, withLogsOnFailure } from './support.js';

const LIMIT = 8;
// Twelve form types: each is one getcurrent request per poll, so every poll is a burst.
const FORMS = [
  '8-K',
  '6-K',
  '424B5',
  '424B2',
  'S-1',
  'S-3',
  'SCHEDULE 13D',
  'SC 13G/A',
  '4',
  '10-Q',
  '10-K',
  'DEF 14A',
];

/** An SEC feed whose requests carry `feed=<name>` (SEC ignores it), so the fake can tell feeds apart. */
const secFeed = (secUrl: string, name: string): FeedEntry => ({
  kind: 'sec_edgar',
  name,
  url: `${secUrl}&feed=${name}`,
  forms: FORMS,
  interval_ms: 1000,
});

/** Where one feed's request sequence breaks "one poll after another": each poll asks forms in order. */
function interleavings(requests: RecordedRequest[]): string[] {
  const out: string[] = [];
  let prev = -1;
  for (const r of requests) {
    const i = FORMS.indexOf(r.query.type ?? '');
    // A poll starts at the first form (also after a failed one) or continues with the next form.
    if (i !== 0 && i !== prev + 1) out.push(`${FORMS[prev] ?? 'start'} -> ${r.query.type} at ${r.at}`);
    prev = i;
  }
  return out;
}

describe('pipeline cluster: SEC rate shared through Redis', () => {
  it(
    'two nodes bursting together stay at or under 8 requests/s, declared, one poller per feed',
    { timeout: 120_000 },
    async (t) => {
      if (!(await requirePostgres(t)) || !(await requireRedis(t))) return;
      let pc: PipelineCluster | undefined;
      await withLogsOnFailure(
        () => pc,
        'sec-rate',
        async () => {
          // Node 0 alone polls sec-a, node 1 alone sec-b (so both always burst at once); both are
          // configured with sec-shared, which only the lease keeps to one poller at a time.
          const own = ['sec-a', 'sec-b'];
          pc = await PipelineCluster.start(t, {
            pipelineNodes: 2,
            feeds: (fake) => [...own, 'sec-shared'].map((n) => secFeed(fake.secUrl(), n)),
            nodeFeeds: (fake, i) => [
              secFeed(fake.secUrl(), own[i] as string),
              secFeed(fake.secUrl(), 'sec-shared'),
            ],
          });
          const { fake } = pc;
          const sec = () => fake.requests.filter((r) => r.feed === 'sec' || r.feed === 'sec_tickers');
          const ofFeed = (name: string) => fake.requestsTo('sec').filter((r) => r.query.feed === name);

          // A burst long enough for several polls of each feed: 3 x 12 requests queue at once.
          await waitFor(
            () =>
              own.every((n) => ofFeed(n).length >= 2 * FORMS.length) &&
              ofFeed('sec-shared').length >= 2 * FORMS.length,
            'two polls of every feed',
            60_000,
            100,
          );
          const requests = sec();
          const first = requests[0]?.at ?? 0;
          const last = requests.at(-1)?.at ?? 0;
          const peak = fake.peakRate(['sec', 'sec_tickers'], 1000);
          const mean = ((requests.length - 1) * 1000) / Math.max(1, last - first);
          t.diagnostic(
            `SEC requests: ${requests.length} in ${last - first} ms, mean ${mean.toFixed(2)}/s, peak over any 1 s window ${peak} (limit ${LIMIT})`,
          );

          for (const r of requests)
            assert.equal(r.headers['user-agent'], SEC_USER_AGENT, `User-Agent on ${r.path}`);
          assert.ok(peak <= LIMIT, `peak ${peak} requests in one second, over the limit of ${LIMIT}`);
          const refused = requests.filter((r) => r.answered && ![200, 304].includes(r.answered.status));
          assert.deepEqual(
            refused.map((r) => r.answered?.status),
            [],
            'every SEC request answered 200 or 304',
          );

          // Both nodes really burst at once: their own feeds' requests overlap in time.
          const [a, b] = own.map(ofFeed) as [RecordedRequest[], RecordedRequest[]];
          const overlap = Math.min(a.at(-1)!.at, b.at(-1)!.at) - Math.max(a[0]!.at, b[0]!.at);
          assert.ok(overlap > 1000, `nodes' bursts overlapped for ${overlap} ms`);

          // One poller at a time per feed: each feed's requests are whole polls, one after another.
          for (const name of [...own, 'sec-shared'])
            assert.deepEqual(interleavings(ofFeed(name)), [], `${name} polls interleave`);
          const states = new Map((await pc.feedStates()).map((f) => [f.name, f]));
          const [n0, n1] = pc.pipelines;
          assert.equal(
            pc.nodeOf(states.get('sec-a')?.polled_by ?? null)?.pid,
            n0?.pid,
            'sec-a polled by node 0',
          );
          assert.equal(
            pc.nodeOf(states.get('sec-b')?.polled_by ?? null)?.pid,
            n1?.pid,
            'sec-b polled by node 1',
          );
          const sharedHolder = pc.nodeOf(states.get('sec-shared')?.polled_by ?? null);
          assert.ok(
            sharedHolder,
            `sec-shared polled by a pipeline node: ${states.get('sec-shared')?.polled_by}`,
          );
          const leases = await pc.cluster.query<{ feed: string; holder: string }>(
            'SELECT feed, holder FROM pipeline_leases ORDER BY feed',
          );
          assert.equal(
            leases.find((l) => l.feed === 'sec-shared')?.holder,
            states.get('sec-shared')?.polled_by,
            'the lease holder is the poller',
          );
        },
      );
    },
  );
});
