// Faults of the pipeline's outside world (node A runs the pipeline against the loopback stand-ins).
// LLM errors: while the LLM answers 500 the pipeline keeps publishing with the keyword classifier
// (news released during the fault still becomes signals), the llm breaker opens and later closes,
// and every signal the pipeline kept reaches the subscribers that want it, like the REST ones.
import type { WireRelease } from '../../src/demo/samples/wire-release.js';
import { freePort } from '../../test/support/free-port.js';
import { waitFor } from '../../test/support/wait.js';
import { request } from '../../test/support/node.js';
import { metricValue } from '../../test/cluster/support/cluster.js';
import type { FakeLlm } from '../../src/demo/fake-llm.js';
import type { FakeMarketData } from '../../src/demo/fake-market-data.js';
import type { Signal } from '../../src/domain/signal.js';
import type { AlertExpectation } from './support/alerts.js';
import { type LoopbackServices, pipelineAcks, startLoopbackServices } from './support/pipeline.js';
import type { Context, ScenarioDef } from './support/scenario.js';
import { BREAKER } from './support/stack.js';

let services: LoopbackServices | undefined;
let adminToken = '';
/** The GlobeNewswire proxy's address, when the stack has one. */
let gnwVia: string | undefined;
let released = 0;

const live = (): LoopbackServices => {
  if (!services) throw new Error('the loopback services are not running');
  return services;
};

// Distinct stories of one listed company (Orbital Cell Labs, OCLB): a different catalyst each, so the
// same-story check does not fold them together.
const STORIES = [
  [
    'Announces Positive Topline Phase 2 Results for OCL-101',
    'positive topline Phase 2 results for OCL-101, meeting the primary endpoint',
  ],
  [
    'Receives FDA Fast Track Designation for OCL-202',
    'that the FDA granted Fast Track designation to OCL-202',
  ],
  [
    'Enters Collaboration and Supply Agreement with Meridian Pharma',
    'a collaboration and supply agreement with Meridian Pharma',
  ],
  [
    'Announces Pricing of $20 Million Public Offering',
    'the pricing of a $20 million underwritten public offering',
  ],
  [
    'Announces Uplisting to the Nasdaq Capital Market',
    'the uplisting of its shares to the Nasdaq Capital Market',
  ],
];

/** The next story as a GlobeNewswire release, dated now. */
function release(): WireRelease {
  const [title, what] = STORIES[released++ % STORIES.length] as [string, string];
  return {
    id: String(3190000 + released),
    title: `Orbital Cell Labs ${title}`,
    city: 'SOUTH SAN FRANCISCO, Calif.',
    body: `Orbital Cell Labs, Inc. (Nasdaq: OCLB) today announced ${what}.`,
    issuer: 'Orbital Cell Labs, Inc.',
    stocks: ['Nasdaq:OCLB'],
    subjects: ['Company Announcement'],
    minutesAgo: 0,
  };
}

/** A stack whose node A runs the pipeline against fresh loopback services. */
async function pipelineStack(env: Record<string, string>, opts: { gnwProxied?: boolean } = {}) {
  // The proxy's port is chosen first: the node's feed config must name it before the stack starts.
  gnwVia = opts.gnwProxied ? `127.0.0.1:${await freePort()}` : undefined;
  services = await startLoopbackServices(gnwVia);
  released = 0;
  const feedsAt = new URL(services.feeds.baseUrl).host;
  return {
    env,
    nodeEnv: [services.env, {}],
    proxies: gnwVia ? [{ name: GNW_PROXY, listen: gnwVia, upstream: feedsAt }] : [],
    dispose: async () => {
      await services?.close();
      services = undefined;
    },
  };
}

/** Waits for the pipeline to have published part of its backlog (judged with everything healthy). */
async function pipelineWarm(ctx: Context): Promise<void> {
  adminToken = await ctx.stack.cluster.token(['admin']);
  await waitFor(
    async () => (await keptIds(ctx)).size > 0,
    'the pipeline to publish its backlog',
    30_000,
    250,
  );
}

/** How the pipeline decided each of STORIES (undefined: not decided). */
async function storyReasons(ctx: Context): Promise<Array<string | undefined>> {
  const items = await request<{ items: Array<{ title: string; decision: string; reason: string }> }>(
    ctx.stack.a.url,
    'GET',
    '/admin/pipeline/items?limit=1000',
    { token: adminToken },
  );
  return STORIES.map(([title]) => items.body.items.find((i) => i.title.endsWith(title as string))?.reason);
}

/**
 * How the pipeline decided the 2 stories released during a fault, once both are decided (or 20 s
 * after the heal: an undecided story is the scenario's failure to report, not a crash).
 */
async function faultStoryReasons(ctx: Context): Promise<Array<string | undefined>> {
  await waitFor(
    async () => (await storyReasons(ctx)).slice(0, 2).every((r) => r !== undefined),
    'the stories of the fault to be judged',
    20_000,
    250,
  ).catch(() => undefined);
  return (await storyReasons(ctx)).slice(0, 2);
}

const keptIds = async (ctx: Context) =>
  new Set((await pipelineAcks(ctx.stack.a.url, adminToken, ctx.phases)).map((a) => a.id));

/** How an LLM scenario breaks the LLM, and what it expects of the llm breaker. */
interface LlmFaultCase {
  name: string;
  fault: string;
  alert: AlertExpectation;
  inject(llm: FakeLlm): Promise<void>;
  /** Extra env of the stack (a shorter LLM timeout for the slow case). */
  env?: Record<string, string>;
  /** The breaker must open (timeouts, errors, garbage); else only the outcome counter is checked. */
  breakerOpens: boolean;
  /** catalyst_llm_calls_total outcome that must grow during the fault. */
  outcome: string;
}

/**
 * A broken LLM for 8 s with 3 releases in it: they are published by the keyword fallback, the LLM's
 * failures are counted under `outcome`, the breaker opens where it must, and the story after the
 * fault is judged by the LLM again.
 */
function llmScenario(c: LlmFaultCase): ScenarioDef {
  let outcomesBefore = 0;
  const outcomes = (ctx: Context) =>
    metricValue(ctx.stack.a.url, 'catalyst_llm_calls_total', { outcome: c.outcome });
  return {
    name: c.name,
    fault: c.fault,
    alert: c.alert,
    holdMs: 8_000,
    maxPublishMs: 2_000,
    minAckedDuringFault: 10,
    breakers: c.breakerOpens ? [{ node: 'a', dependency: 'llm', during: 'open' }] : [],
    stack: () =>
      // Shortened so a few items open the breaker and recovery fits the scenario (defaults: 5 calls,
      // 30 s reset, 10 s window); the behaviour is the same.
      pipelineStack({
        CATALYST_DEP_LLM_BREAKER_RESET_MS: '2000',
        CATALYST_DEP_LLM_BREAKER_VOLUME: '2',
        CATALYST_DEP_LLM_BREAKER_WINDOW_MS: '3000',
        ...c.env,
      }),
    setup: async (ctx) => {
      await pipelineWarm(ctx);
      // The breaker judges a rolling window: the backlog's successes must have left it, else three
      // failing stories are a minority and the breaker rightly stays closed.
      const calls = () =>
        metricValue(ctx.stack.a.url, 'catalyst_dependency_calls_total', { dependency: 'llm' });
      let last = -1;
      await waitFor(
        async () => {
          const now = await calls();
          const quiet = now === last;
          last = now;
          return quiet;
        },
        'the LLM to be idle for a whole breaker window',
        60_000,
        3_500,
      );
      outcomesBefore = await outcomes(ctx);
    },
    inject: async () => {
      await c.inject(live().llm);
      for (let i = 0; i < 3; i++) live().feeds.addGnwRelease(release());
    },
    heal: async (ctx) => {
      await live().llm.setFault('none');
      // The next story goes in once the breaker lets a probe through: its LLM call is the probe.
      await waitFor(
        async () => (await ctx.stack.breaker(ctx.stack.a, 'llm')) !== BREAKER.open,
        'the llm breaker to let a probe through',
        15_000,
        50,
      );
      live().feeds.addGnwRelease(release());
    },
    ledger: (ctx) => pipelineAcks(ctx.stack.a.url, adminToken, ctx.phases),
    verify: async (ctx) => {
      await waitFor(
        async () => (await storyReasons(ctx))[3] !== undefined,
        'the story after the fault to be judged',
        20_000,
        250,
      ).catch(() => undefined);
      const reasons = await storyReasons(ctx);
      const during = reasons.slice(0, 3);
      const after = reasons[3];
      const counted = (await outcomes(ctx)) - outcomesBefore;
      ctx.notes.push(
        `the 3 stories of the fault kept by ${during.join(', ')}; the one after by ${after}; LLM calls counted ${c.outcome}: ${counted}`,
      );
      if (during.some((r) => r !== 'keywords'))
        ctx.failures.push(
          `a story released during the fault was not published by the keyword fallback (${during.join(', ')})`,
        );
      if (after !== 'llm_confirmed')
        ctx.failures.push(`the story after the fault was not judged by the LLM (${after})`);
      if (counted < 1) ctx.failures.push(`no LLM call was counted as ${c.outcome}`);
    },
  };
}

export const llmErrors = llmScenario({
  name: 'llm-errors',
  fault: 'LLM answers HTTP 500 for 8 s; 3 releases in it',
  alert: { fires: ['CatalystLlmFallbackInUse'] },
  inject: (llm) => llm.setFault('http_5xx'),
  breakerOpens: true,
  outcome: 'error',
});

// The LLM's deadline is shortened to 1 s (default 15 s) so a few answers 3 s late are timeouts
// within the scenario; the fake still answers, late, as a slow server does.
export const llmTimeouts = llmScenario({
  name: 'llm-timeouts',
  fault: 'LLM answers 3 s late (deadline 1 s) for 8 s; 3 releases in it',
  alert: { fires: ['CatalystLlmFallbackInUse'] },
  inject: (llm) => llm.setFault('slow', { delayMs: 3_000 }),
  env: { CATALYST_DEP_LLM_TIMEOUT_MS: '1000' },
  breakerOpens: true,
  outcome: 'timeout',
});

export const llmGarbage = llmScenario({
  name: 'llm-garbage',
  fault: 'LLM answers 200 with prose instead of JSON for 8 s; 3 releases in it',
  alert: { fires: ['CatalystLlmFallbackInUse'] },
  inject: (llm) => llm.setFault('garbage'),
  breakerOpens: true,
  outcome: 'invalid',
});

// A 429 says "later", not "broken": the breaker may rightly stay closed, so the promise checked is
// the counted outcome, the keyword fallback meanwhile and the LLM used again after.
export const llmRateLimited = llmScenario({
  name: 'llm-429',
  fault: 'LLM answers 429 (Retry-After: 1) for 8 s; 3 releases in it',
  alert: { fires: ['CatalystLlmFallbackInUse'] },
  inject: (llm) => llm.setFault('rate_limited', { retryAfter: '1' }),
  breakerOpens: false,
  outcome: 'rate_limited',
});

/** The signal published for each of STORIES (undefined: none yet). */
async function storySignals(ctx: Context): Promise<Array<Signal | undefined>> {
  const acks = await pipelineAcks(ctx.stack.a.url, adminToken, ctx.phases);
  return STORIES.map(([title]) => acks.find((a) => a.signal.title.endsWith(title as string))?.signal);
}

interface MarketMeta {
  market?: string;
  market_missing?: Record<string, string>;
  timeline?: { classified_at: string; scored_at: string };
}

// The market-data deadline of the scenarios' nodes (the default, written out so the check can use it).
const MARKET_DEADLINE_MS = 2_000;

/**
 * Market data broken for 6 s with 3 releases in it: their signals are still published, each having
 * waited at most the market-data deadline for the facts (classified → scored), with metadata.market
 * saying what is missing and why; the story after the breaker closed carries complete market facts.
 */
function marketScenario(c: {
  name: string;
  fault: string;
  alert: AlertExpectation;
  /** How long the fault stays (default 6 s). */
  holdMs?: number;
  inject(market: FakeMarketData): Promise<void>;
  breakerOpens: boolean;
}): ScenarioDef {
  return {
    name: c.name,
    fault: c.fault,
    alert: c.alert,
    holdMs: c.holdMs,
    maxPublishMs: 2_000,
    minAckedDuringFault: 10,
    breakers: c.breakerOpens ? [{ node: 'a', dependency: 'market_data', during: 'open' }] : [],
    stack: () =>
      // Shortened like the LLM's so the few calls of three stories open the breaker and it closes
      // within the scenario.
      pipelineStack({
        CATALYST_DEP_MARKET_DATA_BREAKER_RESET_MS: '2000',
        CATALYST_DEP_MARKET_DATA_BREAKER_VOLUME: '2',
        CATALYST_DEP_MARKET_DATA_BREAKER_WINDOW_MS: '3000',
        CATALYST_MARKET_DATA_DEADLINE_MS: String(MARKET_DEADLINE_MS),
      }),
    setup: pipelineWarm,
    inject: async () => {
      await c.inject(live().market);
      for (let i = 0; i < 3; i++) live().feeds.addGnwRelease(release());
    },
    heal: async (ctx) => {
      await live().market.setFault('none');
      const state = () => ctx.stack.breaker(ctx.stack.a, 'market_data');
      // Half-open lets one call through: the fourth story's first fact is the probe (its other
      // facts are rightly refused), and the fifth, once the breaker closed, must get all of them.
      await waitFor(
        async () => (await state()) !== BREAKER.open,
        'the market_data breaker to let a probe through',
        15_000,
        50,
      );
      live().feeds.addGnwRelease(release());
      await waitFor(
        async () => (await state()) === BREAKER.closed,
        'the market_data breaker to close',
        15_000,
        50,
      );
      live().feeds.addGnwRelease(release());
    },
    ledger: (ctx) => pipelineAcks(ctx.stack.a.url, adminToken, ctx.phases),
    verify: async (ctx) => {
      await waitFor(
        async () => (await storySignals(ctx)).every((s) => s !== undefined),
        'a signal for each story of the run',
        20_000,
        250,
      ).catch(() => undefined);
      const metas = (await storySignals(ctx)).map((s) => s?.metadata as MarketMeta | undefined);
      const waited = (m: MarketMeta | undefined) =>
        m?.timeline ? Date.parse(m.timeline.scored_at) - Date.parse(m.timeline.classified_at) : Number.NaN;
      const said = (m: MarketMeta | undefined) =>
        m ? `${m.market}${m.market_missing ? ` ${JSON.stringify(m.market_missing)}` : ''}` : 'no signal';
      ctx.notes.push(
        `market of the 3 stories of the fault: ${metas.slice(0, 3).map(said).join('; ')}; probe: ${said(metas[3])}; after: ${said(metas[4])}; waited ${metas.map(waited).join(', ')} ms`,
      );
      metas.slice(0, 3).forEach((m, i) => {
        if (!m) return ctx.failures.push(`story ${i + 1} of the fault was not published`);
        const reasons = Object.values(m.market_missing ?? {});
        if (m.market === 'complete' || reasons.length === 0)
          ctx.failures.push(`story ${i + 1} of the fault claims complete market data`);
        else if (!reasons.every((r) => r.startsWith('unavailable') || r === 'late'))
          ctx.failures.push(
            `story ${i + 1} of the fault names no outage: ${JSON.stringify(m.market_missing)}`,
          );
        // Margin for the event loop of a busy node; the deadline is what keeps news fresh.
        if (!(waited(m) <= MARKET_DEADLINE_MS + 500))
          ctx.failures.push(
            `story ${i + 1} waited ${waited(m)} ms for market data (deadline ${MARKET_DEADLINE_MS})`,
          );
      });
      if (metas[4]?.market !== 'complete')
        ctx.failures.push(`the story after the breaker closed has market data ${said(metas[4])}`);
    },
  };
}

export const marketDataDown = marketScenario({
  name: 'market-data-down',
  fault: 'market data refuses connections 11 s; 3 releases in it',
  // Long enough for the breaker, opened by the first stories, to be seen open or half-open at every
  // scrape of the alert's (shrunk) window.
  alert: { fires: ['CatalystBreakerOpen(market_data)'] },
  holdMs: 11_000,
  inject: (market) => market.setFault('down'),
  breakerOpens: true,
});

// A 429 says "later": the breaker may rightly stay closed; the deadline and the metadata are the promise.
export const marketDataRateLimited = marketScenario({
  name: 'market-data-429',
  fault: 'market data answers 429 (Retry-After: 1) 6 s; 3 releases in it',
  alert: {
    none: 'a 429 says later: the breaker stays closed and the facts are marked unavailable; no rule counts refusals',
  },
  inject: (market) => market.setFault('rate_limited', { retryAfter: '1' }),
  breakerOpens: false,
});

// A feed answering SEC's block page with 200 (what SEC sends an undeclared tool): the page must never
// become a signal, the polls are counted as blocked, and stories that appeared on the wire meanwhile
// are published once the feed answers again. No breaker is expected to open: there is one per host,
// and here every stand-in shares 127.0.0.1:PORT, so the healthy SEC and PR Newswire polls keep it
// closed (as they should).
export const feedBlockPage: ScenarioDef = {
  name: 'feed-block-page',
  fault: 'GlobeNewswire answers a 200 block page 6 s; 2 releases in it',
  alert: {
    none: 'CatalystFeedStale needs an hour without a good poll (an absolute age, not shrunk); 6 s is far below it',
  },
  maxPublishMs: 2_000,
  minAckedDuringFault: 10,
  stack: () => pipelineStack({}),
  setup: pipelineWarm,
  inject: async () => {
    live().feeds.setFault('gnw', { kind: 'block_200' });
    for (let i = 0; i < 2; i++) live().feeds.addGnwRelease(release());
  },
  heal: async () => live().feeds.setFault('gnw', undefined),
  ledger: (ctx) => pipelineAcks(ctx.stack.a.url, adminToken, ctx.phases),
  verify: async (ctx) => {
    const reasons = await faultStoryReasons(ctx);
    const blocked = await metricValue(ctx.stack.a.url, 'catalyst_feed_polls_total', {
      feed: 'globenewswire',
      outcome: 'blocked',
    });
    if (blocked < 1) ctx.failures.push('no poll was counted as blocked');
    const acks = await pipelineAcks(ctx.stack.a.url, adminToken, ctx.phases);
    const fromPage = acks.filter((a) => /sec\.gov|undeclared|automated tool/i.test(a.signal.title)).length;
    ctx.notes.push(
      `the 2 stories of the fault decided after it: ${reasons.join(', ')}; blocked polls ${blocked}; block-page signals ${fromPage}`,
    );
    if (reasons.some((r) => r === undefined))
      ctx.failures.push('a story released during the fault was never judged');
    if (fromPage > 0) ctx.failures.push(`${fromPage} signals came from the block page`);
  },
};

const GNW_PROXY = 'feed-gnw';

/** Items of the pipeline's ledger from GlobeNewswire decided in [from, to). */
async function gnwDecided(ctx: Context, from: number, to: number): Promise<number> {
  const items = await request<{ items: Array<{ feed: string; decided_at: string }> }>(
    ctx.stack.a.url,
    'GET',
    '/admin/pipeline/items?limit=1000',
    { token: adminToken },
  );
  return items.body.items.filter((i) => {
    const at = Date.parse(i.decided_at);
    return i.feed === 'globenewswire' && at >= from && at < to;
  }).length;
}

/** Bytes of the GlobeNewswire answer as the pipeline asks for it (gzip): headers and body. */
async function gnwAnswerBytes(): Promise<{ head: number; body: number }> {
  const res = await fetch(live().feeds.gnwUrl, { headers: { 'accept-encoding': 'gzip' } });
  const body = Number(res.headers.get('content-length') ?? (await res.arrayBuffer()).byteLength);
  let head = `HTTP/1.1 ${res.status} ${res.statusText}\r\n`.length + 2;
  res.headers.forEach((v, k) => (head += k.length + v.length + 4));
  return { head, body };
}

// GlobeNewswire cut mid-answer by the network (limit_data: the proxy closes each connection after
// the headers and part of the body): every changed feed arrives truncated, the polls are counted so,
// no item is parsed from a cut document, and the stories that appeared meanwhile are published once
// the connection is whole again.
export const feedTruncated: ScenarioDef = {
  name: 'feed-truncated',
  fault: 'GlobeNewswire cut mid-body by the proxy 12 s; 2 releases in it',
  // 12 s: the feed's breaker, opened by the first cut polls, must stay open or half-open for the
  // alert's (shrunk) window.
  alert: { fires: ['CatalystBreakerOpen'] },
  holdMs: 12_000,
  maxPublishMs: 2_000,
  minAckedDuringFault: 10,
  // A failing feed's breaker waits a minute by default; 2 s here, so the recovery fits the scenario.
  stack: () => pipelineStack({ CATALYST_DEP_FEED_BREAKER_RESET_MS: '2000' }, { gnwProxied: true }),
  // The proxied feed has a host:port, hence a breaker, of its own.
  breakers: [{ node: 'a', dependency: () => `feed:${gnwVia}`, during: 'open' }],
  setup: pipelineWarm,
  inject: async (ctx) => {
    // Measured before the releases: the feed only grows, so the cut falls inside the body.
    const { head, body } = await gnwAnswerBytes();
    await ctx.stack.addToxic([GNW_PROXY], {
      name: 'cut',
      type: 'limit_data',
      stream: 'downstream',
      attributes: { bytes: head + Math.floor(body / 2) },
    });
    for (let i = 0; i < 2; i++) live().feeds.addGnwRelease(release());
  },
  heal: ({ stack }) => stack.removeToxics(),
  ledger: (ctx) => pipelineAcks(ctx.stack.a.url, adminToken, ctx.phases),
  verify: async (ctx) => {
    const reasons = await faultStoryReasons(ctx);
    const truncated = await metricValue(ctx.stack.a.url, 'catalyst_feed_polls_total', {
      feed: 'globenewswire',
      outcome: 'truncated',
    });
    const parsedDuring = await gnwDecided(ctx, ctx.phases.faultAt, ctx.phases.healedAt);
    ctx.notes.push(
      `the 2 stories of the fault decided after it: ${reasons.join(', ')}; truncated polls ${truncated}; GlobeNewswire items decided during the fault ${parsedDuring}`,
    );
    if (truncated < 1) ctx.failures.push('no poll was counted as truncated');
    if (parsedDuring > 0)
      ctx.failures.push(`${parsedDuring} GlobeNewswire items were decided during the cut`);
    if (reasons.some((r) => r === undefined))
      ctx.failures.push('a story released during the fault was never judged');
  },
};

const gnwFailedPolls = async (ctx: Context) => {
  let n = 0;
  for (const outcome of ['truncated', 'error'])
    n += await metricValue(ctx.stack.a.url, 'catalyst_feed_polls_total', { feed: 'globenewswire', outcome });
  return n;
};
let slowProbeMs: Promise<number> = Promise.resolve(Number.NaN);
let failedBefore = 0;

// GlobeNewswire slowed by the network (bandwidth sized so an answer takes about 3 s, sliced in small
// chunks with delays): slow is not broken. The polls still succeed within the feed's deadline (none
// truncated or failed, its breaker closed), and the stories released meanwhile are published. A
// probe fetch through the proxy proves the answers were really slow.
export const feedSlow: ScenarioDef = {
  name: 'feed-slow',
  fault: 'GlobeNewswire throttled (bandwidth, slicer) to ~3 s an answer 6 s; 2 releases in it',
  alert: { none: 'slow is not broken: every poll succeeds, the breaker stays closed' },
  maxPublishMs: 2_000,
  minAckedDuringFault: 10,
  stack: () => pipelineStack({}, { gnwProxied: true }),
  breakers: [{ node: 'a', dependency: () => `feed:${gnwVia}`, during: 'closed' }],
  setup: pipelineWarm,
  inject: async (ctx) => {
    failedBefore = await gnwFailedPolls(ctx);
    const { head, body } = await gnwAnswerBytes();
    const rate = Math.max(1, Math.ceil((head + body) / 1024 / 3));
    await ctx.stack.addToxic([GNW_PROXY], {
      name: 'narrow',
      type: 'bandwidth',
      stream: 'downstream',
      attributes: { rate },
    });
    await ctx.stack.addToxic([GNW_PROXY], {
      name: 'sliced',
      type: 'slicer',
      stream: 'downstream',
      attributes: { average_size: 64, size_variation: 32, delay: 10_000 },
    });
    const probeUrl = new URL(live().feeds.gnwUrl);
    probeUrl.host = gnwVia as string;
    const t0 = Date.now();
    slowProbeMs = fetch(probeUrl, { headers: { 'accept-encoding': 'gzip' } })
      .then((r) => r.arrayBuffer())
      .then(() => Date.now() - t0)
      .catch(() => Number.NaN);
    for (let i = 0; i < 2; i++) live().feeds.addGnwRelease(release());
  },
  heal: ({ stack }) => stack.removeToxics(),
  ledger: (ctx) => pipelineAcks(ctx.stack.a.url, adminToken, ctx.phases),
  verify: async (ctx) => {
    const reasons = await faultStoryReasons(ctx);
    const failed = (await gnwFailedPolls(ctx)) - failedBefore;
    const probe = await slowProbeMs;
    ctx.notes.push(
      `the 2 stories of the fault decided: ${reasons.join(', ')}; probe answer through the proxy ${probe} ms; truncated or failed polls ${failed}`,
    );
    if (!(probe >= 1_500)) ctx.failures.push(`the feed was not slow (probe ${probe} ms)`);
    if (failed > 0) ctx.failures.push(`${failed} GlobeNewswire polls failed while only slow`);
    if (reasons.some((r) => r === undefined))
      ctx.failures.push('a story released during the fault was never judged');
  },
};
