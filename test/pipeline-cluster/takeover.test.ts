// A pipeline node killed with -9 in the middle of a poll: the other pipeline node takes its feeds
// over within the lease, news that appears after the kill still becomes signals, and the killed
// node restarted (then alone, once the survivor stops) re-signals nothing. Across all of it every
// item the fake served is decided exactly once and every signal is published once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GNW_RELEASES } from '../../src/demo/samples/globenewswire.js';
import { LATER_NEWS } from '../../src/demo/samples/later-news.js';
import { PRN_RELEASES } from '../../src/demo/samples/prnewswire.js';
import { SEC_FILINGS, type SecFilingSample } from '../../src/demo/samples/sec.js';
import { FINAL_DECISIONS, type ItemRecord } from '../../src/pipeline/ledger.js';
import type { CatalystNodeProcess } from '../support/node.js';
import { requirePostgres, requireRedis } from '../support/servers.js';
import { waitFor } from '../support/wait.js';
import { PipelineCluster, withLogsOnFailure } from './support.js';

const LEASE_MS = 3000;
const FORMS = [
  ...new Set(
    [...SEC_FILINGS, ...LATER_NEWS.flatMap((n) => (n.wire === 'sec' ? [n.filing] : []))].map((f) => f.form),
  ),
];

/** The pipeline's id of each item the fake serves (sec:<accession>, gnw:<id>, prn:<id>). */
const laterId = (n: (typeof LATER_NEWS)[number]) =>
  n.wire === 'sec' ? `sec:${n.filing.accession}` : `${n.wire}:${n.release.id}`;
/** An 8-K filed once the killed node is back (and alone). */
const RESTART_FILING: SecFilingSample = {
  form: '8-K',
  accession: '0001234567-26-000099',
  parties: [{ company: 'Corvana Biosciences Inc', cik: '0001987006', role: 'Filer' }],
  sizeKb: 240,
  items: ['Item 1.01: Entry into a Material Definitive Agreement', 'Item 8.01: Other Events'],
  minutesAgo: 0,
};
const SAMPLE_IDS = [
  ...SEC_FILINGS.map((f) => `sec:${f.accession}`),
  ...GNW_RELEASES.map((r) => `gnw:${r.id}`),
  ...PRN_RELEASES.map((r) => `prn:${r.id}`),
];

describe('pipeline cluster: a pipeline node killed mid-poll', () => {
  it(
    'the other takes over within the lease; nothing published twice, nothing lost',
    { timeout: 120_000 },
    async (t) => {
      if (!(await requirePostgres(t)) || !(await requireRedis(t))) return;
      let pc: PipelineCluster | undefined;
      await withLogsOnFailure(
        () => pc,
        'takeover',
        async () => {
          pc = await PipelineCluster.start(t, {
            pipelineNodes: 2,
            env: { CATALYST_FEED_LEASE_MS: String(LEASE_MS) },
            feeds: (fake) => [
              { kind: 'sec_edgar', name: 'sec', url: fake.secUrl(), forms: FORMS, interval_ms: 1000 },
              { kind: 'globenewswire', name: 'gnw', url: fake.gnwUrl, interval_ms: 1000 },
              { kind: 'prnewswire', name: 'prn', url: fake.prnUrl, interval_ms: 1000 },
            ],
          });
          const { fake } = pc;
          const decided = async (ids: string[]) => {
            const items = new Map((await pc!.items()).map((i) => [i.id, i]));
            return ids.every((id) => FINAL_DECISIONS.includes(items.get(id)?.decision as never));
          };
          await waitFor(() => decided(SAMPLE_IDS), 'every sample item decided', 30_000, 200);

          // The victim holds the SEC lease; its next SEC request never gets an answer: it is mid-poll.
          const holderOf = async (feed: string) =>
            (
              await pc!.cluster.query<{ holder: string }>(
                'SELECT holder FROM pipeline_leases WHERE feed = $1',
                [feed],
              )
            )[0]?.holder ?? null;
          const victim = pc.nodeOf(await holderOf('sec'));
          assert.ok(victim, 'a pipeline node holds the SEC lease');
          const survivor = pc.pipelines.find((n) => n !== victim) as CatalystNodeProcess;
          const victimFeeds = (
            await pc.cluster.query<{ feed: string }>('SELECT feed FROM pipeline_leases WHERE holder = $1', [
              await holderOf('sec'),
            ])
          ).map((r) => r.feed);
          const hangFrom = Date.now();
          fake.setFault('sec', { kind: 'hang', times: 1 });
          await waitFor(
            () => fake.requestsTo('sec').some((r) => r.at >= hangFrom),
            'the victim asking SEC',
            10_000,
          );
          await victim.kill9();
          const killedAt = Date.now();

          // News after the kill: the survivor takes the victim's feeds over and publishes it.
          while (fake.publishNext());
          const afterKill = LATER_NEWS.map(laterId);
          const states = new Map((await pc.feedStates()).map((f) => [f.name, f]));
          const refresh = async () => {
            for (const f of await pc!.feedStates()) states.set(f.name, f);
          };
          const polledSince = (feeds: string[], node: CatalystNodeProcess, since: number) =>
            feeds.every((f) => {
              const s = states.get(f);
              return pc!.nodeOf(s?.polled_by ?? null) === node && Date.parse(s?.last_poll_at ?? '') > since;
            });
          await waitFor(
            async () => (await refresh(), polledSince(victimFeeds, survivor, killedAt)),
            "the survivor polling the victim's feeds",
            30_000,
            100,
          );
          await waitFor(() => decided(afterKill), 'the items released after the kill decided', 30_000, 200);
          const firstSecAfter = fake.requestsTo('sec').find((r) => r.at > killedAt)?.at ?? Number.NaN;
          const takeoverMs = firstSecAfter - killedAt;
          t.diagnostic(
            `victim held ${victimFeeds.join(', ')}; first SEC request after the kill ${takeoverMs} ms later (lease ${LEASE_MS} ms)`,
          );
          // The lease runs out at most LEASE_MS after the victim's last renewal, and the survivor asks
          // every third of it: a poll of the taken-over feed follows within about 4/3 of a lease.
          assert.ok(takeoverMs < 2 * LEASE_MS, `takeover after ${takeoverMs} ms`);

          // The killed node comes back; once the survivor stops, it alone polls everything again.
          await victim.restart();
          await survivor.stop('SIGTERM');
          const restartedAt = Date.now();
          await waitFor(
            async () => (await refresh(), polledSince(['sec', 'gnw', 'prn'], victim, restartedAt)),
            'the restarted node polling every feed',
            30_000,
            100,
          );
          fake.addSecFiling(RESTART_FILING);
          const afterRestart = `sec:${RESTART_FILING.accession}`;
          await waitFor(
            () => decided([afterRestart]),
            'the filing added after the restart decided',
            30_000,
            200,
          );

          // Nothing lost: every item served has a final decision.
          const items = await pc.items();
          const byId = new Map(items.map((i) => [i.id, i]));
          for (const id of [...SAMPLE_IDS, ...afterKill, afterRestart])
            assert.ok(
              FINAL_DECISIONS.includes(byId.get(id)?.decision as never),
              `${id} decided: ${byId.get(id)?.decision}`,
            );
          const open = items.filter((i) => !FINAL_DECISIONS.includes(i.decision));
          assert.deepEqual(
            open.map((i) => `${i.id} ${i.decision}`),
            [],
            'no item left failed or waiting',
          );

          // Nothing published twice: signal ids unique, and each kept item's signals there exactly once.
          const signals = await pc.signals();
          const count = new Map<string, number>();
          for (const s of signals) count.set(s.id, (count.get(s.id) ?? 0) + 1);
          assert.deepEqual(
            [...count].filter(([, n]) => n > 1),
            [],
            'no signal id stored twice',
          );
          const kept = items.filter((i): i is ItemRecord & { signal_ids: string[] } => i.decision === 'kept');
          const ofKept = kept.flatMap((i) => i.signal_ids ?? []);
          assert.deepEqual(
            ofKept.filter((id) => count.get(id) !== 1),
            [],
            'every kept item signal stored once',
          );
          assert.equal(signals.length, ofKept.length, 'every stored signal belongs to one kept item');
          for (const id of [...afterKill, afterRestart])
            assert.equal(byId.get(id)?.decision, 'kept', `${id}, released after the kill, published`);
          t.diagnostic(`${items.length} items decided (${kept.length} kept), ${signals.length} signals`);
        },
      );
    },
  );
});
