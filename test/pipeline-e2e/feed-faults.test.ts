// Feeds misbehaving as real ones do: 304 (the next poll is conditional), a truncated document and
// an HTML block page with 200 (no items, the host's breaker opens, the admin view shows the error),
// a gigantic document (cut at max_bytes, memory bounded) and a feed that never answers (an error
// within the dependency's timeout). A second feed on another host keeps working throughout.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { FakeFeeds, type Fault } from '../../src/demo/fake-feeds.js';
import type { ItemRecord } from '../../src/pipeline/ledger.js';
import { waitFor } from '../support/wait.js';
import { catalystRelease, startPipelineNode } from '../support/pipeline-node.js';

/** Generous, so a loaded machine never fails a healthy poll; the hang test sets a short one. */
const FEED_TIMEOUT_MS = 5000;
const HANG_TIMEOUT_MS = 1000;
const MAX_BYTES = 2 * 1024 * 1024;

/**
 * A faulty GlobeNewswire and a healthy PR Newswire, on two hosts (a breaker is per host); `fault`
 * is in force from the node's first poll.
 */
async function setup(t: TestContext, opts: { fault?: Fault; timeoutMs?: number } = {}) {
  const faulty = await FakeFeeds.start({ samples: false });
  t.after(() => faulty.close());
  if (opts.fault) faulty.setFault('gnw', opts.fault);
  const healthy = await FakeFeeds.start({ samples: false });
  t.after(() => healthy.close());
  const pl = await startPipelineNode(
    t,
    [
      { kind: 'globenewswire', url: faulty.gnwUrl, interval_ms: 1000 },
      { kind: 'prnewswire', url: healthy.prnUrl, interval_ms: 1000 },
    ],
    {
      CATALYST_FEED_MAX_BYTES: String(MAX_BYTES),
      CATALYST_DEP_FEED_TIMEOUT_MS: String(opts.timeoutMs ?? FEED_TIMEOUT_MS),
      CATALYST_DEP_FEED_BREAKER_VOLUME: '2',
      CATALYST_DEP_FEED_BREAKER_RESET_MS: '1500',
      CATALYST_DEP_FEED_LIMIT_MIN_TIME_MS: '0',
    },
  );
  const host = new URL(faulty.baseUrl).host;
  const polls = (feed: string, outcome: string) => pl.metric('catalyst_feed_polls_total', { feed, outcome });
  const transitions = (to: string) =>
    pl.metric('catalyst_dependency_breaker_transitions_total', { dependency: `feed:${host}`, to });
  /** Waits until the item titled `title` is decided, and answers it. */
  // Generous: these bound a failure, and the pipeline suites run beside each other.
  const decided = (title: string, timeoutMs = 30_000) =>
    waitFor(
      async () => (await pl.items()).find((i) => i.title === title && i.decision !== 'waiting'),
      `the item "${title}"`,
      timeoutMs,
      100,
    );
  /** A new release on the healthy wire becomes a signal: the other feed keeps working. */
  const healthyStillWorks = async () => {
    const r = catalystRelease('prn');
    healthy.addPrnRelease(r);
    const item: ItemRecord = await decided(r.title);
    assert.equal(item.decision, 'kept');
  };
  return { faulty, healthy, pl, polls, transitions, decided, healthyStillWorks };
}

describe('pipeline with failing feeds', () => {
  it('polls conditionally after a 200: If-None-Match sent, 304 counted as not_modified', async (t) => {
    const { faulty, polls, decided } = await setup(t);
    const first = catalystRelease('gnw');
    faulty.addGnwRelease(first);
    assert.equal((await decided(first.title)).decision, 'kept');
    await waitFor(
      async () => (await polls('globenewswire', 'not_modified')) >= 1,
      'a not_modified poll',
      30_000,
    );
    const gets = faulty.requestsTo('gnw');
    assert.equal(gets[0]?.headers['if-none-match'], undefined, 'the first poll is plain');
    assert.ok(gets[1]?.headers['if-none-match'], 'the second poll is conditional');
    const conditional = gets.find(
      (r) => r.headers['if-none-match'] !== undefined && r.answered?.status === 304,
    );
    assert.ok(conditional, 'a conditional GET answered 304');
    assert.equal(await polls('globenewswire', 'error'), 0);
    // News after a 304 still arrives: the validators change with the document.
    const second = catalystRelease('gnw');
    faulty.addGnwRelease(second);
    assert.equal((await decided(second.title)).decision, 'kept');
  });

  // A whole answer holding part of the document, a connection cut mid-body, SEC's block page with
  // 200 (must not be parsed) and with 403: what the poll counts, and what the admin view says.
  const BROKEN = [
    { kind: 'truncated', outcome: 'truncated', cause: /document is cut short/ },
    { kind: 'cut', outcome: 'truncated', cause: /body cut short/ },
    { kind: 'block_200', outcome: 'blocked', cause: /answered with Undeclared Automated Tool, not a feed/ },
    { kind: 'block_403', outcome: 'blocked', cause: /answered 403 \(Undeclared Automated Tool\)/ },
  ] as const;
  for (const { kind, outcome, cause } of BROKEN) {
    it(`a ${kind} answer parses no item, opens the host's breaker and shows in the admin view`, async (t) => {
      const { faulty, pl, polls, transitions, decided, healthyStillWorks } = await setup(t, {
        fault: { kind },
      });
      const release = catalystRelease('gnw');
      faulty.addGnwRelease(release);
      await waitFor(async () => (await polls('globenewswire', outcome)) >= 2, `two ${outcome} polls`, 30_000);
      await waitFor(async () => (await transitions('open')) >= 1, 'the breaker opens', 30_000);
      // The admin view names the cause (later polls, refused by the open breaker, say so instead).
      const state = await waitFor(
        async () =>
          (await pl.feeds()).find(
            (f) => f.name === 'globenewswire' && cause.test(f.last_error?.message ?? ''),
          ),
        `last_error naming the ${kind} answer`,
      );
      assert.equal(state.last_success_at, null);
      t.diagnostic(`${kind}: last_error "${state.last_error?.message}"`);
      const gnw = async () => (await pl.feeds()).find((f) => f.name === 'globenewswire');
      await waitFor(async () => (await gnw())?.breaker === 'open', 'the admin view shows the breaker open');
      assert.ok(!(await pl.items()).some((i) => i.feed === 'globenewswire'), 'no item parsed');
      await healthyStillWorks();

      // Fixed: the breaker lets a trial through, closes, and the release becomes a signal.
      faulty.setFault('gnw', undefined);
      assert.equal((await decided(release.title)).decision, 'kept');
      assert.ok((await transitions('closed')) >= 1);
      // The feed's state is saved once its poll's items are decided: wait for it, do not race it.
      const healed = await waitFor(async () => {
        const f = await gnw();
        return f?.last_error === null && f.breaker === 'closed' ? f : undefined;
      }, 'the admin view shows the feed healthy again');
      assert.ok(healed.last_success_at);
    });
  }

  for (const gzip of [false, true]) {
    it(`a gigantic document${gzip ? ' (gzipped)' : ''} is cut at max_bytes with bounded memory`, async (t) => {
      const { faulty, polls, decided, healthyStillWorks } = await setup(t);
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      t.after(() => clearInterval(sampler));
      const huge: Fault = { kind: 'huge', bytes: 200 * 1024 * 1024, gzip, times: 1 };
      faulty.setFault('gnw', huge);
      await waitFor(async () => (await polls('globenewswire', 'too_large')) >= 1, 'a too_large poll', 30_000);
      clearInterval(sampler);
      // The download is stopped, not drained: the server got to write little of the document.
      const served = await waitFor(
        () => faulty.requestsTo('gnw').find((r) => r.answered && r.answered.bytes > MAX_BYTES),
        'the huge answer to end',
      );
      assert.ok(served.answered!.bytes < 64 * 2 ** 20, `server wrote ${served.answered!.bytes} bytes`);
      const grown = (peak - baseline) / 2 ** 20;
      t.diagnostic(
        `huge${gzip ? ' gzip' : ''}: server wrote ${(served.answered!.bytes / 2 ** 20).toFixed(1)} MB ` +
          `of 200 MB before the cut; RSS grew ${grown.toFixed(1)} MB (peak ${(peak / 2 ** 20).toFixed(0)} MB)`,
      );
      assert.ok(grown < 64, `RSS grew ${grown.toFixed(1)} MB`);
      // The feed is read whole again afterwards.
      const release = catalystRelease('gnw');
      faulty.addGnwRelease(release);
      assert.equal((await decided(release.title)).decision, 'kept');
      await healthyStillWorks();
    });
  }

  it('a feed that never answers fails within the dependency timeout; the other feed keeps working', async (t) => {
    const { faulty, pl, polls, healthyStillWorks } = await setup(t, {
      fault: { kind: 'hang' },
      timeoutMs: HANG_TIMEOUT_MS,
    });
    await waitFor(async () => (await polls('globenewswire', 'error')) >= 1, 'an error poll', 30_000);
    assert.ok(faulty.requestsTo('gnw').length >= 1, 'the feed was asked');
    // The ledger's feed state is saved whole at the end of a poll: its start and its error (a
    // later poll refused by the open breaker fails at once, so the timed-out one is looked for).
    const state = await waitFor(
      async () =>
        (await pl.feeds()).find(
          (f) => f.name === 'globenewswire' && /timed out/.test(f.last_error?.message ?? ''),
        ),
      'last_error naming the timeout',
    );
    assert.ok(state.last_error && state.last_poll_at);
    const took = Date.parse(state.last_error.at) - Date.parse(state.last_poll_at);
    t.diagnostic(
      `hung poll failed after ${took} ms (timeout ${HANG_TIMEOUT_MS} ms): "${state.last_error.message}"`,
    );
    assert.ok(took >= HANG_TIMEOUT_MS && took < HANG_TIMEOUT_MS + 2000, `failed after ${took} ms`);
    await healthyStillWorks();
  });
});
