// A clock jump on one node: node A runs under libfaketime (LD_PRELOAD) with the monotonic clock left
// alone (a real step moves the wall clock only) and its offset read from a file on every call, which
// the scenario rewrites: +1 h at the fault, -1 h halfway through (a step back of two hours), 0 to heal.
// Node A's own Date header proves each step took. Besides nothing lost, duplicated or reordered and
// publishing going on, it checks what a wall-clock step could break here: a token revoked on B while
// A is an hour ahead, and one revoked on A while it is an hour behind, are refused by the other node
// within seconds (revocation polls and cache ages); created_at stays in seq order and true (the
// store's clock stamps it); no breaker opens; and idle sessions on A keep getting heartbeats.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createToken, request } from '../../test/support/node.js';
import { waitFor } from '../../test/support/wait.js';
import type { Context, ScenarioDef } from './support/scenario.js';
import type { Subscriber } from './support/subscriber.js';

const LIBFAKETIME = ['x86_64', 'aarch64'].map((a) => `/usr/lib/${a}-linux-gnu/faketime/libfaketime.so.1`);
const JUMP_S = 3600;
const HOLD_MS = 8_000;
const HEARTBEAT_MS = 1_000;
/** How soon a revocation made on one node must be refused by the other (polls every 0.5 s). */
const REVOKED_WITHIN_MS = 3_000;

let dir = '';
let checks: Promise<void> | undefined;
let quiet: Subscriber | undefined;
const offsets: string[] = [];

const setOffset = (seconds: number) =>
  writeFileSync(join(dir, 'offset'), `${seconds >= 0 ? '+' : ''}${seconds}\n`);

/** Node A's wall clock minus ours, in whole seconds, from the Date header of its answer. */
async function offsetOfA(ctx: Context): Promise<number> {
  const t = Date.now();
  const res = await request(ctx.stack.a.url, 'GET', '/health/live');
  return Math.round((Date.parse(res.headers.get('date') ?? '') - t) / 1000);
}

/** Steps A's clock and waits until its Date header shows it (within the header's 1 s resolution). */
async function jump(ctx: Context, seconds: number): Promise<void> {
  setOffset(seconds);
  let seen = Number.NaN;
  await waitFor(
    async () => Math.abs((seen = await offsetOfA(ctx)) - seconds) <= 2,
    `node A's clock at ${seconds} s`,
    5_000,
    100,
  ).catch(() =>
    ctx.failures.push(
      `libfaketime did not move node A's clock to ${seconds} s (its Date header says ${seen} s)`,
    ),
  );
  offsets.push(`${seconds >= 0 ? '+' : ''}${seconds} s (Date header ${seen} s)`);
}

/**
 * A token used on `user` (so cached there), then revoked through `revoker`'s REST API: `user` must
 * refuse it within REVOKED_WITHIN_MS.
 */
async function revocationReaches(ctx: Context, revoker: 'a' | 'b', user: 'a' | 'b', when: string) {
  const { stack } = ctx;
  const node = (n: 'a' | 'b') => (n === 'a' ? stack.a : stack.b);
  const probe = await createToken({ env: stack.cluster.env }, ['subscribe']);
  const admin = await stack.cluster.token(['admin']);
  const read = () => request(node(user).url, 'GET', '/signals?limit=1', { token: probe.token });
  if ((await read()).status !== 200) return void ctx.failures.push(`${when}: a fresh token was refused`);
  const del = await request(node(revoker).url, 'DELETE', `/admin/tokens/${probe.name}`, { token: admin });
  if (del.status >= 300)
    return void ctx.failures.push(`${when}: revoking on ${revoker} answered ${del.status}`);
  const t0 = Date.now();
  await waitFor(async () => (await read()).status === 401, 'the revoked token refused', REVOKED_WITHIN_MS, 50)
    .then(() => ctx.notes.push(`${when}: refused by ${user} ${Date.now() - t0} ms after the revocation`))
    .catch(() =>
      ctx.failures.push(
        `${when}: node ${user.toUpperCase()} still accepted the token ${REVOKED_WITHIN_MS} ms after node ${revoker.toUpperCase()} revoked it`,
      ),
    );
}

export const clockJump: ScenarioDef = {
  name: 'clock-jump',
  fault: `node A's wall clock +1 h, then -1 h (libfaketime) ${HOLD_MS / 1000} s`,
  alert: {
    none: "no rule watches node clocks (no metric carries one); the step does skew A's measured delivery latency (now - created_at), which may burn the latency SLO: a side effect, noted",
  },
  holdMs: HOLD_MS,
  minAckedDuringFault: 10,
  maxPublishMs: 2_000,
  breakers: ['store', 'bus', 'redis'].map((dependency) => ({ node: 'a', dependency, during: 'closed' })),
  stack: async () => {
    const lib = LIBFAKETIME.find((f) => existsSync(f));
    if (!lib)
      throw new Error('libfaketime is not installed (apt-get install libfaketime, or run .ci/run once)');
    dir = mkdtempSync(join(tmpdir(), 'catalyst-chaos-clock-'));
    offsets.length = 0;
    setOffset(0);
    return {
      nodeEnv: [
        {
          LD_PRELOAD: lib,
          FAKETIME_DONT_FAKE_MONOTONIC: '1',
          FAKETIME_NO_CACHE: '1',
          FAKETIME_TIMESTAMP_FILE: join(dir, 'offset'),
          CATALYST_HEARTBEAT_MS: String(HEARTBEAT_MS),
        },
      ],
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  setup: async (ctx) => {
    // Wants nothing the publishers send: only heartbeats reach it.
    quiet = await ctx.subscribe('quiet@A', ctx.wsUrls(ctx.stack.a), { tickers: ['QUIET'] });
  },
  inject: async (ctx) => {
    checks = (async () => {
      await jump(ctx, JUMP_S);
      await revocationReaches(ctx, 'b', 'a', 'revoked on B while A is 1 h ahead');
      await new Promise((r) => setTimeout(r, Math.max(0, ctx.phases.faultAt + HOLD_MS / 2 - Date.now())));
      await jump(ctx, -JUMP_S);
      await revocationReaches(ctx, 'a', 'b', 'revoked on A while A is 1 h behind');
    })();
    return Promise.resolve();
  },
  heal: async (ctx) => {
    await checks;
    await jump(ctx, 0);
  },
  verify: async (ctx) => {
    ctx.notes.push(`node A's clock offsets: ${offsets.join(', ')}`);
    const rows = await ctx.stack.cluster.query<{ id: string; created_at: Date }>(
      'SELECT id, created_at FROM signals ORDER BY seq',
    );
    const ackedAt = new Map(ctx.publishers.flatMap((p) => p.acks).map((a) => [a.id, a.at]));
    let inversions = 0;
    let skewS = 0;
    rows.forEach((r, i) => {
      if (i > 0 && r.created_at < (rows[i - 1] as { created_at: Date }).created_at) inversions++;
      const at = ackedAt.get(r.id);
      if (at !== undefined) skewS = Math.max(skewS, Math.abs(at - r.created_at.getTime()) / 1000);
    });
    ctx.notes.push(
      `created_at: ${inversions} decreases in seq order over ${rows.length} signals; off the acknowledgement's true time by at most ${skewS.toFixed(1)} s`,
    );
    if (inversions > 0) ctx.failures.push(`created_at decreases ${inversions} times in seq order`);
    if (skewS > 30) ctx.failures.push(`a signal's created_at is ${skewS.toFixed(0)} s off the true time`);
    // Heartbeats to an idle session on A during the fault and after it: their interval runs on the
    // monotonic clock, so a step of the wall clock must not silence them (a client's watchdog would
    // take the connection for dead). The bound leaves room for a loaded machine.
    const beats = quiet?.heartbeats ?? [];
    const gap = (from: number, to: number) => {
      const inside = [from, ...beats.filter((t) => t > from && t < to), to];
      return Math.max(...inside.slice(1).map((t, i) => t - (inside[i] as number)));
    };
    const during = gap(ctx.phases.faultAt, ctx.phases.healedAt);
    const after = gap(ctx.phases.healedAt, Date.now());
    if (Math.max(during, after) > 5 * HEARTBEAT_MS)
      ctx.failures.push(`an idle session on A got no heartbeat for ${Math.max(during, after)} ms`);
    ctx.notes.push(
      `heartbeats to an idle session on A (every ${HEARTBEAT_MS} ms, ${quiet?.connections ?? 0} connections): longest silence ${during} ms during the fault, ${after} ms after it`,
    );
  },
};
