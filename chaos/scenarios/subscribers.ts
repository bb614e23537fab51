// Faults on the subscribers' side. Slow consumers: the subscribers behind the ws-b proxy get 2 KB/s
// while the publishers keep going; the server must not let them hold others back, and they end up
// with everything once the link is fast again (after a slow-consumer close they resume). Reconnect
// storm: every subscriber's connection is cut at once and all of them resume together.
import type { ScenarioDef } from './support/scenario.js';

const EXTRA = 20;

export const slowConsumers: ScenarioDef = {
  name: 'slow-consumers',
  fault: `ws-b proxy at 2 KB/s for 1+${EXTRA} subscribers 6 s`,
  alert: {
    none: 'closing a slow consumer is the design working; CatalystSlowConsumerCloses is for a client stuck in a close-and-resume loop',
  },
  minAckedDuringFault: 10,
  maxPublishMs: 2_000,
  setup: async (ctx) => {
    for (let i = 0; i < EXTRA; i++)
      await ctx.subscribe(`slow-${i}@B via proxy`, () => [
        ctx.stack.proxiedWsUrlB,
        ...ctx.wsUrls(ctx.stack.a)(),
      ]);
  },
  inject: ({ stack }) =>
    stack.addToxic(['ws-b'], {
      name: 'slow',
      type: 'bandwidth',
      stream: 'downstream',
      attributes: { rate: 2 },
    }),
  heal: ({ stack }) => stack.removeToxics(),
  verify: async ({ subscribers, publishers, phases, failures, notes }) => {
    const acks = publishers.flatMap((p) => p.acks);
    const direct = subscribers.filter((s) => !s.name.includes('via proxy'));
    const slow = subscribers.filter((s) => s.name.includes('via proxy'));
    const fastMs = Math.max(...direct.map((s) => s.maxDeliveryMs(acks, phases.faultAt, phases.healedAt)));
    const slowMs = Math.max(...slow.map((s) => s.maxDeliveryMs(acks, phases.faultAt, phases.healedAt)));
    const resumed = slow.filter((s) => s.connections > 1).length;
    notes.push(
      `during the fault: max delivery ${fastMs} ms to direct subscribers, ${slowMs} ms to the slow ones; ${resumed} of ${slow.length} slow ones were closed and resumed`,
    );
    if (fastMs > 1_000) failures.push(`slow consumers held back the others: a delivery took ${fastMs} ms`);
  },
};

export const reconnectStorm: ScenarioDef = {
  name: 'reconnect-storm',
  fault: `all ${4 + EXTRA * 2} subscribers cut at once (ws-b proxy off 1 s)`,
  alert: {
    none: `${4 + EXTRA * 2} sessions over two nodes: under CatalystDisconnectStorm's floor of 50 abnormal closes per node (a storm that small is churn, by design)`,
  },
  minAckedDuringFault: 10,
  maxPublishMs: 2_000,
  holdMs: 4_000,
  setup: async (ctx) => {
    const { a } = ctx.stack;
    for (let i = 0; i < EXTRA; i++) {
      await ctx.subscribe(`storm-${i}@B via proxy`, () => [ctx.stack.proxiedWsUrlB, ...ctx.wsUrls(a)()]);
      await ctx.subscribe(`storm-${i}@A`, ctx.wsUrls(a), { tickers: ['ACME', 'ZYXI'] });
    }
  },
  inject: async (ctx) => {
    await ctx.stack.setEnabled('ws-b', false);
    for (const s of ctx.subscribers) s.drop();
    await new Promise((r) => setTimeout(r, 1_000)); // the outage itself
    await ctx.stack.setEnabled('ws-b', true);
  },
  heal: async (ctx) => {
    await Promise.all(ctx.subscribers.map((s) => s.settled()));
  },
  verify: async ({ subscribers, failures }) => {
    const stuck = subscribers.filter((s) => !s.connected).length;
    if (stuck > 0) failures.push(`${stuck} subscribers did not reconnect`);
  },
};
