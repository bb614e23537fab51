// The LLM failing in each way real servers fail: items still become signals through the keyword
// model, the llm breaker opens and closes again once the LLM is back, the LLM is then used again,
// a 429's Retry-After is honoured, and across the whole run no item is lost or published twice.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeFeeds } from '../../src/demo/fake-feeds.js';
import { FakeLlm, type FaultOptions, type LlmFault } from '../../src/demo/fake-llm.js';
import type { Signal } from '../../src/domain/signal.js';
import type { ItemRecord } from '../../src/pipeline/ledger.js';
import { waitFor } from '../support/wait.js';
import { catalystRelease, startPipelineNode } from '../support/pipeline-node.js';

// Well above a healthy call on a loaded machine: only the slow fault may time out.
const LLM_TIMEOUT_MS = 1000;
const RETRY_AFTER_S = 2;

/** Each fault, the catalyst_llm_calls_total outcome it must show, and whether it opens the breaker. */
const FAULTS: { fault: LlmFault; opts?: FaultOptions; outcome: string; opensBreaker: boolean }[] = [
  { fault: 'down', outcome: 'error', opensBreaker: true },
  { fault: 'slow', opts: { delayMs: LLM_TIMEOUT_MS * 3 }, outcome: 'timeout', opensBreaker: true },
  { fault: 'garbage', outcome: 'invalid', opensBreaker: true },
  { fault: 'truncated', outcome: 'invalid', opensBreaker: true },
  // Beyond the list: a 503 and an answer cut by finish_reason "length".
  { fault: 'http_5xx', outcome: 'error', opensBreaker: true },
  { fault: 'length', outcome: 'invalid', opensBreaker: true },
  // One 429: the guard then waits out Retry-After without calling, so too few failures to open.
  {
    fault: 'rate_limited',
    opts: { retryAfter: String(RETRY_AFTER_S), times: 1 },
    outcome: 'rate_limited',
    opensBreaker: false,
  },
];

describe('pipeline with a failing LLM', () => {
  it('falls back to keywords, opens and closes the breaker, loses and repeats nothing', async (t) => {
    const feeds = await FakeFeeds.start({ samples: false });
    t.after(() => feeds.close());
    const llm = await new FakeLlm().start();
    t.after(() => llm.close());
    const pl = await startPipelineNode(t, [{ kind: 'globenewswire', url: feeds.gnwUrl, interval_ms: 1000 }], {
      LLM_BASE_URL: llm.baseUrl,
      LLM_MODEL: 'fake',
      CATALYST_DEP_LLM_TIMEOUT_MS: String(LLM_TIMEOUT_MS),
      CATALYST_DEP_LLM_BREAKER_VOLUME: '2',
      CATALYST_DEP_LLM_BREAKER_RESET_MS: '500',
      CATALYST_DEP_LLM_RETRY_BASE_MS: '10',
      CATALYST_DEP_LLM_RETRY_MAX_MS: '20',
      CATALYST_DEP_LLM_LIMIT_MIN_TIME_MS: '0',
      // One item at a time, so each fault meets a known sequence of calls: a 429's Retry-After
      // must turn away the calls after it, which concurrent items would already have made
      // (test/pipeline/judge-concurrency covers judging several at once).
      LLM_CONCURRENCY: '1',
    });

    const released: string[] = [];
    /** Adds `n` releases and answers their kept items once all are decided. */
    const publish = async (n: number): Promise<ItemRecord[]> => {
      const titles = Array.from({ length: n }, () => {
        const r = catalystRelease();
        feeds.addGnwRelease(r);
        released.push(r.title);
        return r.title;
      });
      return waitFor(
        async () => {
          const byTitle = new Map((await pl.items()).map((i) => [i.title, i]));
          const got = titles.map((title) => byTitle.get(title));
          return got.every((i) => i && i.decision !== 'waiting') && (got as ItemRecord[]);
        },
        `${n} new releases decided`,
        15_000,
        100,
      );
    };
    const signalsOf = async (items: ItemRecord[]): Promise<Signal[]> => {
      const all = await pl.signals();
      return items.map((i) => {
        assert.equal(i.decision, 'kept', `${i.title}: ${i.reason} ${i.detail ?? ''}`);
        const s = all.find((x) => x.id === i.signal_ids?.[0]);
        assert.ok(s, `signal of ${i.title}`);
        return s;
      });
    };
    const transitions = (to: string) =>
      pl.metric('catalyst_dependency_breaker_transitions_total', { dependency: 'llm', to });

    /** Releases one item at a time until one is classified by the LLM. */
    const llmDecides = (what: string) =>
      waitFor(
        async () => {
          const [s] = await signalsOf(await publish(1));
          return s?.metadata?.classifier === 'llm';
        },
        what,
        20_000,
        0,
      );

    await llmDecides('the LLM deciding while healthy');

    for (const { fault, opts, outcome, opensBreaker } of FAULTS) {
      const failedCalls = await pl.metric('catalyst_llm_calls_total', { outcome });
      const opened = await transitions('open');
      const closed = await transitions('closed');
      const llmCallsBefore = llm.requests.length;
      await llm.setFault(fault, opts);
      for (const s of await signalsOf(await publish(3))) {
        assert.equal(s.metadata?.classifier, 'keywords', `${fault}: keyword fallback`);
        assert.ok(s.confidence <= 0.75, `${fault}: keyword confidence ${s.confidence} is capped`);
      }
      assert.ok(
        (await pl.metric('catalyst_llm_calls_total', { outcome })) > failedCalls,
        `${fault}: ${outcome}`,
      );
      if (opensBreaker)
        // Whether three failing items open it depends on what else the breaker's rolling window
        // holds: the phase before leaves successes and refusals (opossum counts a refusal as a
        // call), which a slow machine can leave under the 50% failure rate. More failing items do.
        await waitFor(
          async () => {
            if ((await transitions('open')) > opened) return true;
            const [s] = await signalsOf(await publish(1));
            assert.equal(s?.metadata?.classifier, 'keywords', `${fault}: keyword fallback`);
            return false;
          },
          `${fault}: breaker opens`,
          30_000,
          0,
        );
      const throttledAt = llm.requests[llmCallsBefore]?.at;
      await llm.setFault('none');

      // Back: a later item is classified by the LLM again, and an opened breaker has closed.
      await llmDecides(`${fault}: the LLM used again`);
      if (opensBreaker) {
        assert.ok((await transitions('closed')) > closed, `${fault}: breaker closed again`);
        assert.equal(await pl.metric('catalyst_dependency_breaker_state', { dependency: 'llm' }), 0);
      }
      if (fault === 'rate_limited') {
        assert.ok(throttledAt !== undefined, 'the 429 was asked for');
        const next = llm.requests.slice(llmCallsBefore + 1)[0];
        assert.ok(next, 'a call after the 429');
        const waited = next.at - throttledAt;
        assert.ok(waited >= RETRY_AFTER_S * 1000, `next LLM call ${waited} ms after the 429`);
      }
    }

    // Nothing lost, nothing twice: every release kept once, every kept signal stored exactly once.
    const items = await pl.items();
    const signals = await pl.signals();
    assert.deepEqual(items.map((i) => i.title).sort(), [...released].sort());
    const kept = items.filter((i) => i.decision === 'kept');
    assert.equal(kept.length, released.length);
    const ids = kept.flatMap((i) => i.signal_ids ?? []);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(signals.map((s) => s.id).sort(), [...ids].sort());
    assert.equal(await pl.metric('catalyst_signals_duplicate_total'), 0, 'no signal was even offered twice');
    assert.ok((await pl.metric('catalyst_classifier_fallback_total')) >= 3 * FAULTS.length);
    // An open breaker answers at once, without calling the LLM.
    const rejected = await pl.metric('catalyst_llm_calls_total', { outcome: 'rejected' });
    assert.ok(rejected >= 1, 'calls refused by the open breaker');
    t.diagnostic(
      `releases ${released.length}, signals ${signals.length}, llm requests ${llm.requests.length}, ` +
        `breaker opened ${await transitions('open')}x, closed ${await transitions('closed')}x, ` +
        `calls refused while open ${rejected}`,
    );
  });
});
