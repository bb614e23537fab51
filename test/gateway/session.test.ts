// The session state machine driven directly: a real Gateway, LiveFeed, Publisher and SQLite store in
// this process, and a scripted WebSocket in place of a network connection. No spawned node.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { createToken } from '../../src/auth/tokens.js';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import { loadConfig } from '../../src/config.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { LiveFeed } from '../../src/gateway/live-feed.js';
import { Session } from '../../src/gateway/session.js';
import { createLogger } from '../../src/observability/logger.js';
import { Publisher } from '../../src/publish/publisher.js';
import type { Store } from '../../src/resilience/guarded-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { guarded } from '../support/guarded.js';
import { makeSignal } from '../support/signals.js';
import { waitFor } from '../support/wait.js';

type Msg = { type: string; seq?: number; [k: string]: unknown };

/** The WebSocket as a session uses it, recording what the server sends and how it closes. */
class ScriptedSocket extends EventEmitter {
  readonly CLOSED = 3;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: Msg[] = [];
  /** Every frame as written, for its shape (one object or an array). */
  readonly frames: string[] = [];
  closed: { code: number; reason: string } | undefined;
  send(raw: string | Buffer): void {
    const data = raw.toString();
    this.frames.push(data);
    const parsed = JSON.parse(data) as Msg | Msg[];
    for (const m of Array.isArray(parsed) ? parsed : [parsed]) this.sent.push(m);
  }
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = { code, reason };
    this.readyState = this.CLOSED;
    queueMicrotask(() => this.emit('close', code));
  }
  terminate(): void {}
  /** A client frame. */
  frame(msg: object | object[]): void {
    this.emit('message', Buffer.from(JSON.stringify(msg)), false);
  }
  seqs(after = 0): number[] {
    return this.sent.slice(after).flatMap((m) => (m.type === 'signal' ? [m.seq as number] : []));
  }
  index(type: string, nth = 1): number {
    let seen = 0;
    return this.sent.findIndex((m) => m.type === type && ++seen === nth);
  }
}

describe('Session state machine', () => {
  let dir: string;
  let store: Store;
  let gateway: Gateway;
  let feed: LiveFeed;
  let publisher: Publisher;
  let token: string;

  const open = (authorization?: string) => {
    const ws = new ScriptedSocket();
    const socket = Object.assign(new EventEmitter(), { remoteAddress: '127.0.0.1' }) as unknown as Socket;
    const session = new Session(gateway, ws as unknown as WebSocket, socket, undefined, authorization);
    gateway.sessions.add(session);
    return { ws, session, socket };
  };
  const publish = async (n: number, over: Parameters<typeof makeSignal>[0] = {}) => {
    const results = await publisher.publish(Array.from({ length: n }, () => makeSignal(over)));
    const seqs = results.map((r) => ('seq' in r ? r.seq : assert.fail(JSON.stringify(r))));
    // Stored is not yet handed out: wait for the live side, as a session sees the stream through it.
    await waitFor(() => feed.lastSeq >= Math.max(...seqs), 'the live feed to reach the published seqs');
    return seqs;
  };
  const start = async (
    gatewayEnv: Record<string, string> = {},
    limits?: ConstructorParameters<typeof Gateway>[0]['limits'],
  ) => {
    const config = loadConfig({}, { CATALYST_REPLAY_PAGE_SIZE: '5', ...gatewayEnv });
    const bus = new MemoryBus();
    publisher = new Publisher(store, bus);
    feed = new LiveFeed(store, bus, (s) => gateway.dispatch(s), { catchUpMs: 50, pageSize: 100 });
    gateway = new Gateway({
      config: config.gateway,
      store,
      tokens: store,
      feed,
      epoch: await store.epoch(),
      log: createLogger({ level: 'silent' }),
      ...(limits ? { limits } : {}),
    });
    await feed.start();
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'catalyst-session-'));
    store = guarded(new SqliteStore(join(dir, 'db.sqlite')));
    await store.migrate();
    token = (await createToken(store, 'sub', ['subscribe'])).token;
  });
  afterEach(async () => {
    feed?.stop();
    for (const s of gateway?.sessions ?? []) s.close({ code: 1001, reason: 'test over' });
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('closes 4401 "auth timeout" when no auth arrives in time', async () => {
    await start({ CATALYST_AUTH_TIMEOUT_MS: '100' });
    const { ws } = open();
    await waitFor(() => ws.closed, 'the close');
    assert.deepEqual(ws.closed, { code: 4401, reason: 'auth timeout' });
    assert.equal(ws.sent.length, 0, 'nothing is sent to an unauthenticated socket');
  });

  it('closes 4401 "authenticate first" on a subscribe before any auth', async () => {
    await start();
    const { ws } = open();
    ws.frame({ type: 'subscribe', filters: {} });
    await waitFor(() => ws.closed, 'the close');
    assert.deepEqual(ws.closed, { code: 4401, reason: 'authenticate first' });
  });

  it('handles frames in arrival order when their rate-limit checks answer out of order', async () => {
    // A shared (Redis) limiter answers each frame's check on its own time: a retried or slow call
    // lands after later ones. Here they answer last frame first.
    const checks: ((ok: boolean) => void)[] = [];
    await start(
      {},
      {
        connect: async () => true,
        authFailed: async () => undefined,
        message: () => new Promise<boolean>((resolve) => checks.push(resolve)),
      },
    );
    const { ws } = open(token);
    await waitFor(() => ws.index('welcome') >= 0, 'the welcome');
    for (let i = 0; i < 20; i++) ws.frame({ type: 'ping', ts: i });
    assert.equal(checks.length, 20, 'one check per frame, asked on arrival');
    for (const allow of checks.reverse()) allow(true);
    const pongs = () => ws.sent.filter((m) => m.type === 'pong').map((m) => m.ts);
    await waitFor(() => pongs().length === 20, 'every pong');
    assert.deepEqual(
      pongs(),
      Array.from({ length: 20 }, (_, i) => i),
    );
  });

  it('holds messages sent right behind the auth and handles them, in order, after the welcome', async () => {
    await start();
    await publish(3);
    const { ws } = open();
    ws.frame([
      { type: 'auth', token },
      { type: 'subscribe', filters: {}, since_seq: 1 },
      { type: 'ping', ts: 7 },
    ]);
    await waitFor(() => ws.seqs().length === 2, 'the replay of seqs 2 and 3');
    // The ping answers on arrival (it needs no auth); the held subscribe waits for the welcome.
    assert.deepEqual(
      ws.sent.map((m) => m.type),
      ['pong', 'welcome', 'subscribed', 'signal', 'signal'],
    );
    assert.deepEqual(ws.seqs(), [2, 3]);
  });

  it('a subscribe during a replay supersedes it: after the new subscribed, only the new range, once, in order', async () => {
    await start();
    await publish(60);
    const { ws, socket } = open(token);
    await waitFor(() => ws.index('welcome') >= 0, 'the welcome');
    // A client that has not read for a while: the replay waits for room after its first page.
    ws.bufferedAmount = 600 * 1024;
    ws.frame({ type: 'subscribe', filters: {}, since_seq: 0 });
    await waitFor(() => ws.index('subscribed') >= 0, 'the first subscribed');
    ws.frame({ type: 'subscribe', filters: {}, since_seq: 50 });
    await waitFor(() => ws.index('subscribed', 2) >= 0, 'the second subscribed');
    ws.bufferedAmount = 0;
    socket.emit('drain');
    await publish(3); // live while the second replay runs or right after it
    const second = ws.index('subscribed', 2);
    await waitFor(() => ws.seqs(second).length === 13, 'seqs 51 to 63');
    assert.deepEqual(
      ws.seqs(0).slice(0, ws.seqs(0).length - 13),
      [],
      'the superseded replay sent nothing more',
    );
    assert.deepEqual(
      ws.seqs(second),
      Array.from({ length: 13 }, (_, i) => 51 + i),
    );
  });

  it('unsubscribe stops delivery; a resubscribe with since_seq replays what was missed, then goes live', async () => {
    await start();
    const { ws } = open(token);
    ws.frame({ type: 'subscribe', filters: { tickers: ['NBTX'] } });
    await waitFor(() => ws.index('subscribed') >= 0, 'subscribed');
    const [first] = await publish(1, { ticker: 'NBTX' });
    await waitFor(() => ws.seqs().length === 1, 'the live signal');
    ws.frame({ type: 'unsubscribe' });
    await waitFor(() => ws.index('unsubscribed') >= 0, 'unsubscribed');
    const missed = await publish(2, { ticker: 'NBTX' });
    await publish(1, { ticker: 'OTHR' });
    assert.deepEqual(ws.seqs(), [first], 'nothing is delivered while unsubscribed');
    ws.frame({ type: 'subscribe', filters: { tickers: ['NBTX'] }, since_seq: first });
    const [later] = await publish(1, { ticker: 'NBTX' });
    await waitFor(() => ws.seqs().length === 4, 'the replay and the later live signal');
    assert.deepEqual(ws.seqs(), [first, ...missed, later]);
  });

  it('live signals due in one turn arrive as one array frame, in seq order, each once; a lone one as an object', async () => {
    await start();
    const a = open(token);
    const b = open(token);
    a.ws.frame({ type: 'subscribe', filters: {} });
    b.ws.frame({ type: 'subscribe', filters: { tickers: ['NBTX'] } });
    await waitFor(() => a.ws.index('subscribed') >= 0 && b.ws.index('subscribed') >= 0, 'subscribed');
    const [lone] = await publish(1, { ticker: 'NBTX' });
    await waitFor(() => a.ws.seqs().length === 1 && b.ws.seqs().length === 1, 'the lone signal');
    const single = a.ws.frames.at(-1) as string;
    assert.equal(JSON.parse(single).seq, lone, 'a lone signal is a single object, not an array');
    // One publish of five is one commit, handed out in one turn: one frame per session.
    const framesBefore = [a.ws.frames.length, b.ws.frames.length];
    const batch = await publisher.publish([
      makeSignal({ ticker: 'NBTX' }),
      makeSignal({ ticker: 'OTHR' }),
      makeSignal({ ticker: 'NBTX' }),
      makeSignal({ ticker: 'OTHR' }),
      makeSignal({ ticker: 'NBTX' }),
    ]);
    const seqs = batch.map((r) => ('seq' in r ? r.seq : assert.fail(JSON.stringify(r))));
    await waitFor(() => a.ws.seqs().length === 6 && b.ws.seqs().length === 4, 'the batch');
    assert.deepEqual(a.ws.seqs(), [lone, ...seqs]);
    assert.deepEqual(b.ws.seqs(), [lone, seqs[0], seqs[2], seqs[4]], 'only its ticker, in order, once');
    assert.deepEqual(
      [a.ws.frames.length, b.ws.frames.length],
      framesBefore.map((n) => n + 1),
    );
    assert.ok(Array.isArray(JSON.parse(a.ws.frames.at(-1) as string)));
  });

  it('a heartbeat never overtakes live signals: its last_seq only covers what was written before it', async () => {
    await start();
    const { ws, session } = open(token);
    ws.frame({ type: 'subscribe', filters: { tickers: ['NBTX'] } });
    await waitFor(() => ws.index('subscribed') >= 0, 'subscribed');
    for (let i = 0; i < 5; i++) {
      await publish(3, { ticker: 'NBTX' });
      // The feed has handed these out; the fan-out may not have written them yet.
      session.heartbeat(performance.now() + 3_600_000);
      await publish(2, { ticker: 'OTHR' });
      session.heartbeat(performance.now() + 3_600_000);
    }
    await waitFor(() => ws.seqs().length === 15, 'the signals');
    assert.equal(ws.sent.filter((m) => m.type === 'heartbeat').length, 10);
    let seen = 0;
    ws.sent.forEach((m, i) => {
      if (m.type === 'signal') seen = m.seq as number;
      if (m.type !== 'heartbeat') return;
      const later = ws.sent.slice(i).find((x) => x.type === 'signal');
      // Nothing a heartbeat announces may arrive after it.
      assert.ok(later === undefined || (later.seq as number) > (m.last_seq as number), JSON.stringify(m));
      assert.ok((m.last_seq as number) >= seen);
    });
  });

  it('a consumer whose unsent data passes the send buffer is closed 4408 and told to resume', async () => {
    await start({ CATALYST_SEND_BUFFER_BYTES: String(16 * 1024) });
    const { ws } = open(token);
    ws.frame({ type: 'subscribe', filters: {} });
    await waitFor(() => ws.index('subscribed') >= 0, 'subscribed');
    await publish(1);
    await waitFor(() => ws.seqs().length === 1, 'a delivery while the client reads');
    ws.bufferedAmount = 32 * 1024; // the client stopped reading
    await publish(1);
    await waitFor(() => ws.closed, 'the close');
    assert.deepEqual(ws.closed, { code: 4408, reason: 'slow consumer: resume with since_seq' });
  });

  it('a resume from another epoch gets reset, not a replay', async () => {
    await start();
    await publish(2);
    const { ws } = open(token);
    ws.frame({ type: 'subscribe', filters: {}, since_seq: 1, epoch: 'another-history' });
    await waitFor(() => ws.index('reset') >= 0, 'the reset');
    assert.equal(ws.seqs().length, 0);
    assert.equal(ws.sent[ws.index('reset')]?.last_seq, 2);
  });
});
