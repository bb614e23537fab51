// One chaos scenario, run the same way every time: a stack, four subscribers (different filters; one
// through the ws-b proxy that also drops and resumes mid-fault), two publishers with their ledger;
// a warm-up; the fault for `holdMs` (longer while its expected breakers and alerts are not yet seen)
// while breakers and readiness are sampled; the fault removed; the
// recovery timed; then every subscriber checked against the ledger. A broken promise is a failure
// line in the result, never an exception that hides the table.
import type { SignalFilter } from '../../../src/domain/filter.js';
import type { CatalystNodeProcess } from '../../../test/support/node.js';
import { request } from '../../../test/support/node.js';
import { metricValue } from '../../../test/cluster/support/cluster.js';
import { waitFor } from '../../../test/support/wait.js';
import type { AlertExpectation, ChaosPrometheus } from './alerts.js';
import { Phases } from './phases.js';
import { type Ack, Publisher } from './publisher.js';
import { BREAKER, Stack, type StackOptions } from './stack.js';
import { type DeliveryCheck, Subscriber } from './subscriber.js';

export interface BreakerExpectation {
  node: 'a' | 'b';
  /** A name, or a function naming it once the stack runs (a feed's dependency names its port). */
  dependency: string | (() => string);
  /** 'open': must be seen open during the fault; 'closed': must stay closed throughout. */
  during: 'open' | 'closed';
}

export interface Context {
  stack: Stack;
  phases: Phases;
  token: string;
  publishers: Publisher[];
  subscribers: Subscriber[];
  /** Adds a subscriber (stopped with the others, checked like them). */
  subscribe(name: string, urls: () => string[], filter?: SignalFilter): Promise<Subscriber>;
  /** WebSocket URLs of the nodes that are running, `first` first. */
  wsUrls(first: CatalystNodeProcess): () => string[];
  failures: string[];
  notes: string[];
}

export interface ScenarioDef {
  name: string;
  fault: string;
  /** Stack options, or a function preparing them (`dispose` ends what it started, after the stack). */
  stack?: StackOptions | (() => Promise<StackOptions & { dispose?(): Promise<void> }>);
  breakers?: BreakerExpectation[];
  /** How long the fault stays (default 6 s). */
  holdMs?: number;
  /** Publishing must go on during the fault (at least this many acknowledged), else 503s are fine. */
  minAckedDuringFault?: number;
  /** Bound on any publish answer during the fault, ms. */
  maxPublishMs: number;
  /** Bound on /health/ready answers of the nodes during the fault, ms (default 2000). */
  maxHealthMs?: number;
  /** The alerts of alerts/ that must fire during the fault, or none and why none is meant for it. */
  alert: AlertExpectation;
  setup?(ctx: Context): Promise<void>;
  inject(ctx: Context): Promise<void>;
  heal(ctx: Context): Promise<void>;
  /** Signals acknowledged by other publishers than the REST ones (the pipeline), checked alike. */
  ledger?(ctx: Context): Promise<Ack[]>;
  /** Extra checks after the run; push to ctx.failures. */
  verify?(ctx: Context): Promise<void>;
}

export interface Row {
  scenario: string;
  fault: string;
  acknowledged: number;
  delivered: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  maxPublishMs: number;
  recoveryMs: number;
  alert: string;
  failures: string[];
  notes: string[];
}

export async function runScenario(def: ScenarioDef, prometheus: ChaosPrometheus): Promise<Row> {
  const opts: (StackOptions & { dispose?(): Promise<void> }) | undefined =
    typeof def.stack === 'function' ? await def.stack() : def.stack;
  // What the scenario started is ended after the stack: its servers outlive the nodes that use them.
  try {
    const stack = await Stack.start(opts);
    try {
      return await runOn(stack, def, prometheus);
    } finally {
      await stack.dispose();
    }
  } finally {
    await opts?.dispose?.();
  }
}

async function runOn(stack: Stack, def: ScenarioDef, prometheus: ChaosPrometheus): Promise<Row> {
  const phases = new Phases();
  const token = await stack.cluster.token();
  const running = (first: CatalystNodeProcess) =>
    [first, ...stack.nodes.filter((n) => n !== first)].filter((n) => n.running);
  const ctx: Context = {
    stack,
    phases,
    token,
    publishers: [],
    subscribers: [],
    failures: [],
    notes: [],
    wsUrls: (first) => () => running(first).map((n) => n.wsUrl),
    subscribe: async (name, urls, filter = {}) => {
      const s = await Subscriber.start(name, urls, token, filter);
      ctx.subscribers.push(s);
      return s;
    },
  };
  try {
    const { a, b } = stack;
    await ctx.subscribe('all@A', ctx.wsUrls(a));
    await ctx.subscribe('NBTX@B', ctx.wsUrls(b), { tickers: ['NBTX'] });
    await ctx.subscribe('negative merger/offering@B', ctx.wsUrls(b), {
      sentiment: 'negative',
      catalysts: ['merger', 'offering'],
    });
    const resumer = await ctx.subscribe('resumer@B via proxy', () => [
      stack.proxiedWsUrlB,
      ...ctx.wsUrls(a)(),
    ]);
    await def.setup?.(ctx);
    const hosts = stack.nodes.map((n) => new URL(n.url).host);
    const scraped = prometheus.scrape({ a: hosts[0] as string, b: hosts[1] as string });
    const urls = (first: CatalystNodeProcess) => () => running(first).map((n) => n.url);
    ctx.publishers.push(new Publisher(urls(a), token, phases), new Publisher(urls(b), token, phases));
    for (const p of ctx.publishers) p.start();
    const acks = () => ctx.publishers.flatMap((p) => p.acks);
    await waitFor(() => acks().length >= 40, '40 acknowledged signals before the fault', 20_000);
    await waitFor(() => ctx.subscribers.every((s) => s.hasAll(acks())), 'warm-up delivery', 20_000, 50);

    await scraped;

    phases.fault();
    const alerts = prometheus.watch(phases.faultAt, hosts);
    await def.inject(ctx);
    const sampler = await sampleDuringFault(ctx, def);
    await new Promise((r) => setTimeout(r, (def.holdMs ?? 6_000) / 2));
    resumer.drop(); // a client that loses its connection in the middle of the fault and resumes
    await new Promise((r) => setTimeout(r, Math.max(0, phases.faultAt + (def.holdMs ?? 6_000) - Date.now())));
    // The fault then lasts until what it must cause is seen (breakers open, alerts firing), bounded:
    // on a loaded machine fewer calls reach a breaker in `holdMs`, and the promise is about the
    // effect, not its schedule. A bound reached is reported by the checks below.
    await waitFor(
      async () => (await sampler.opened()) && alerts.fulfilled(def.alert),
      'the fault to show its effects',
      MAX_EXTRA_HOLD_MS,
      250,
    ).catch(() => undefined);
    const heldMs = Date.now() - phases.faultAt;
    if (heldMs > (def.holdMs ?? 6_000) + 1_000)
      ctx.notes.push(`the fault was held ${(heldMs / 1000).toFixed(1)} s until its effects were seen`);
    const seen = await sampler.stop();
    const fired = await alerts.stop();

    phases.heal(); // recovery counts from the removal, whatever healing then takes
    await def.heal(ctx);
    const recoveryMs = await measureRecovery(ctx, def).catch((err: Error) => {
      ctx.failures.push(`no recovery: ${err.message}`);
      return Number.NaN;
    });
    const ackedAfter = acks().length;
    await waitFor(() => acks().length >= ackedAfter + 20, '20 more signals after recovery', 30_000).catch(
      (err: Error) => ctx.failures.push(err.message),
    );
    await Promise.all(ctx.publishers.map((p) => p.stop()));
    const ledger = [...acks(), ...((await def.ledger?.(ctx)) ?? [])];
    await waitFor(
      () => ctx.subscribers.every((s) => s.hasAll(ledger)),
      'every subscriber to have its signals',
      30_000,
      50,
    ).catch(
      () => undefined, // counted as lost below
    );

    let total: DeliveryCheck = {
      expected: 0,
      delivered: 0,
      lost: 0,
      duplicated: 0,
      outOfOrder: 0,
      unacknowledged: 0,
    };
    for (const s of ctx.subscribers) {
      const c = s.check(ledger);
      total = {
        expected: total.expected + c.expected,
        delivered: total.delivered + c.delivered,
        lost: total.lost + c.lost,
        duplicated: total.duplicated + c.duplicated,
        outOfOrder: total.outOfOrder + c.outOfOrder,
        unacknowledged: total.unacknowledged + c.unacknowledged,
      };
      if (c.lost + c.duplicated + c.outOfOrder > 0)
        ctx.failures.push(
          `${s.name}: ${c.lost} lost, ${c.duplicated} duplicated, ${c.outOfOrder} out of order of ${c.expected}`,
        );
    }
    const seqs = ledger.map((x) => x.seq).sort((x, y) => x - y);
    if (new Set(seqs).size !== seqs.length) ctx.failures.push('two acknowledgements carry the same seq');

    const ackedDuring = ctx.publishers.reduce((n, p) => n + p.acked('fault'), 0);
    if (def.minAckedDuringFault !== undefined && ackedDuring < def.minAckedDuringFault)
      ctx.failures.push(
        `only ${ackedDuring} signals acknowledged during the fault (want ≥ ${def.minAckedDuringFault})`,
      );
    const maxPublishMs = Math.max(...ctx.publishers.map((p) => p.maxLatency('fault')));
    if (maxPublishMs > def.maxPublishMs)
      ctx.failures.push(`a publish took ${maxPublishMs} ms during the fault (bound ${def.maxPublishMs})`);
    if (seen.maxHealthMs > (def.maxHealthMs ?? 2_000))
      ctx.failures.push(
        `/health/ready took ${seen.maxHealthMs} ms during the fault (bound ${def.maxHealthMs ?? 2_000})`,
      );
    for (const e of def.breakers ?? []) {
      const key = `${e.node}:${dependencyOf(e)}`;
      const max = seen.breakers.get(key) ?? 0;
      if (e.during === 'open' && max !== BREAKER.open)
        ctx.failures.push(`${key} breaker never seen open during the fault`);
      if (e.during === 'closed' && max !== BREAKER.closed)
        ctx.failures.push(`${key} breaker left closed during the fault (state ${max})`);
    }
    await def.verify?.(ctx);
    const alert = prometheus.judge(def.alert, fired);
    ctx.failures.push(...alert.failures);
    ctx.notes.push(...alert.notes);
    const opened = [...seen.breakers].filter(([, v]) => v === BREAKER.open).map(([k]) => k);
    ctx.notes.push(`breakers seen open during the fault: ${opened.join(', ') || 'none'}`);
    ctx.notes.push(
      `${ackedDuring} acknowledged during the fault; ${total.unacknowledged} deliveries of unacknowledged ids; ` +
        `resumer connections ${resumer.connections}; max health ${seen.maxHealthMs} ms`,
    );
    return {
      scenario: def.name,
      fault: def.fault,
      acknowledged: ledger.length,
      delivered: total.delivered,
      lost: total.lost,
      duplicated: total.duplicated,
      outOfOrder: total.outOfOrder,
      maxPublishMs,
      recoveryMs,
      alert: alert.cell,
      failures: ctx.failures,
      notes: ctx.notes,
    };
  } finally {
    for (const s of ctx.subscribers) s.stop();
    await Promise.all(ctx.publishers.map((p) => p.stop().catch(() => undefined)));
  }
}

const dependencyOf = (e: BreakerExpectation) =>
  typeof e.dependency === 'string' ? e.dependency : e.dependency();

/** How much longer than `holdMs` a fault may last while its expected effects are awaited. */
const MAX_EXTRA_HOLD_MS = 30_000;

/** Breakers sampled on both nodes during every fault (the expectations name some of them). */
const WATCHED = ['bus', 'redis', 'store'];

/** Times each watched breaker (node:dependency) has opened so far, from its transitions counter. */
async function openings(ctx: Context, watched: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [name, node] of [
    ['a', ctx.stack.a],
    ['b', ctx.stack.b],
  ] as const) {
    if (!node.running) continue;
    for (const dependency of watched) {
      const n = await metricValue(node.url, 'catalyst_dependency_breaker_transitions_total', {
        dependency,
        to: 'open',
      }).catch(() => 0);
      out.set(`${name}:${dependency}`, n);
    }
  }
  return out;
}

/**
 * Watches the breakers while the fault lasts: a breaker counts as open during the fault when its
 * state was sampled open or its transitions counter shows an opening (a short open is not missed);
 * and samples readiness latency every 100 ms.
 */
async function sampleDuringFault(ctx: Context, def: ScenarioDef) {
  const watched = [...new Set([...WATCHED, ...(def.breakers ?? []).map(dependencyOf)])];
  const before = await openings(ctx, watched);
  const breakers = new Map<string, number>();
  let maxHealthMs = 0;
  let on = true;
  const loop = (async () => {
    while (on) {
      for (const [name, node] of [
        ['a', ctx.stack.a],
        ['b', ctx.stack.b],
      ] as const) {
        if (!node.running) continue;
        for (const dependency of watched) {
          const key = `${name}:${dependency}`;
          const state = await ctx.stack.breaker(node, dependency).catch(() => 0);
          breakers.set(key, Math.max(breakers.get(key) ?? 0, state));
        }
      }
      for (const n of ctx.stack.nodes.filter((x) => x.running)) {
        const t0 = Date.now();
        await request(n.url, 'GET', '/health/ready').catch(() => undefined);
        maxHealthMs = Math.max(maxHealthMs, Date.now() - t0);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  // A restarted node's counters start again at 0: only an increase counts.
  const countOpenings = async () => {
    for (const [key, n] of await openings(ctx, watched))
      if (n > (before.get(key) ?? n)) breakers.set(key, BREAKER.open);
  };
  return {
    /** Whether every breaker expected open has been seen open so far. */
    opened: async () => {
      const expected = (def.breakers ?? []).filter((e) => e.during === 'open');
      if (expected.length === 0) return true;
      await countOpenings();
      return expected.every((e) => breakers.get(`${e.node}:${dependencyOf(e)}`) === BREAKER.open);
    },
    stop: async () => {
      on = false;
      await loop;
      await countOpenings();
      return { breakers, maxHealthMs };
    },
  };
}

/**
 * Time from the fault's removal until every expected breaker is closed on its node and the first
 * signal acknowledged after the removal has reached every subscriber whose filter wants it.
 */
async function measureRecovery(ctx: Context, def: ScenarioDef): Promise<number> {
  const { stack, phases } = ctx;
  await waitFor(
    async () => {
      for (const e of def.breakers ?? []) {
        const node = e.node === 'a' ? stack.a : stack.b;
        if ((await stack.breaker(node, dependencyOf(e))) !== BREAKER.closed) return false;
      }
      const first = ctx.publishers
        .flatMap((p) => p.acks)
        .filter((x) => x.phase === 'after')
        .sort((x, y) => x.seq - y.seq)[0];
      return first !== undefined && ctx.subscribers.every((s) => s.hasAll([first]));
    },
    'breakers closed and the first signal after the fault delivered everywhere',
    40_000,
    25,
  );
  return Date.now() - phases.healedAt;
}
