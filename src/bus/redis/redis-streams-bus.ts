// Bus over one Redis Stream that every node appends to and every node reads. Cheap to run and good
// enough for the job: the bus only makes delivery fast; the store is the truth (see ../bus.ts).
//
// Stream entries: one per signal, fields `seq` and `signal` (the stored JSON), all of one publish in
// one MULTI. One entry per signal (rather than one per batch) keeps MAXLEN a bound on signals, not on
// batches of up to 1000, keeps `seq` readable by other consumers and operators (XRANGE) without
// parsing, and costs nothing extra on the wire since the MULTI is one round trip; MULTI keeps a
// batch contiguous and all-or-nothing in the stream.
import type { Redis, RedisOptions } from 'ioredis';
import type { Signal } from '../../domain/signal.js';
import type { Bus, BusListener } from '../bus.js';
import { compareStreamIds } from './stream-id.js';

/** Structured logger (pino's shape). */
export interface BusLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * Builds one ready-configured ioredis client (the composition root owns how clients are made, see
 * redis-options.ts). `name` is the connection name; `overrides` are this bus's per-role settings.
 */
export type RedisClientFactory = (name: string, overrides: Partial<RedisOptions>) => Redis;

export interface RedisStreamsBusOptions {
  client: RedisClientFactory;
  /** Prefix of every key, so deployments can share a Redis. Default 'catalyst'. */
  keyPrefix?: string;
  /** Approximate bound on the stream's length (MAXLEN ~). Default 100000. */
  maxLen?: number;
  /** How long one XREAD blocks waiting for entries. Default 5000. */
  blockMs?: number;
  /**
   * Deadline of a publish's commands (ioredis commandTimeout). The composition root passes the bus
   * dependency's timeout, so a publish that timed out there does not linger in ioredis. Default 2000.
   */
  commandTimeoutMs?: number;
  logger?: BusLogger;
}

type StreamEntry = [id: string, fields: string[]];
type XReadReply = [key: string, entries: StreamEntry[]][] | null;

const READ_COUNT = 1000;
const silent: BusLogger = { info() {}, warn() {}, error() {} };

export class RedisStreamsBus implements Bus {
  readonly kind = 'redis';
  /** Hash-tagged, so this and any later bus key land in one Redis Cluster slot. */
  readonly streamKey: string;
  private readonly maxLen: number;
  private readonly blockMs: number;
  private readonly log: BusLogger;
  private readonly commands: Redis;
  private reader: Redis | undefined;
  private readonly listeners = new Set<BusListener>();
  /** Last entry read; undefined until the reader first positioned itself at the stream's end. */
  private lastId: string | undefined;
  private positioned = false;
  private loop: Promise<void> | undefined;
  private closed = false;
  private readonly firstConnect: Promise<void>;
  private stop!: () => void;
  private readonly stopped = new Promise<void>((resolve) => (this.stop = resolve));

  constructor(private readonly opts: RedisStreamsBusOptions) {
    const prefix = opts.keyPrefix ?? 'catalyst';
    this.streamKey = `${prefix}:{signals}:stream`;
    this.maxLen = opts.maxLen ?? 100_000;
    this.blockMs = opts.blockMs ?? 5000;
    this.log = opts.logger ?? silent;
    // No retry of a command that was in flight when the connection dropped: a retried XADD could
    // append twice, and a fast failure lets the caller's breaker see the outage.
    this.commands = this.connect('publish', {
      maxRetriesPerRequest: 0,
      commandTimeout: opts.commandTimeoutMs ?? 2000,
    });
    this.firstConnect = new Promise((resolve) => {
      const settle = () => {
        this.commands.off('ready', settle).off('close', settle);
        resolve();
      };
      this.commands.on('ready', settle).on('close', settle);
    });
  }

  private connect(role: string, overrides: Partial<RedisOptions>): Redis {
    const name = `${this.opts.keyPrefix ?? 'catalyst'}:bus:${role}:${process.pid}`;
    const client = this.opts.client(name, overrides);
    let lastError: unknown;
    let down = false;
    // Without an 'error' listener ioredis prints every failed reconnect; log transitions instead.
    client.on('error', (err) => (lastError = err));
    client.on('close', () => {
      if (role === 'read') this.positioned = false;
      if (!down && !this.closed)
        this.log.warn({ err: lastError, role, stream: this.streamKey }, 'redis bus connection lost');
      down = true;
    });
    client.on('ready', () => {
      if (down) this.log.info({ role, stream: this.streamKey }, 'redis bus connection restored');
      down = false;
    });
    return client;
  }

  async publish(signals: Signal[], abort?: AbortSignal): Promise<void> {
    if (this.closed) throw new Error('bus closed');
    abort?.throwIfAborted();
    if (signals.length === 0) return;
    // Only the very first connection attempt is waited for; during an outage this fails at once.
    if (this.commands.status !== 'ready') await abortable(this.firstConnect, abort);
    if (this.commands.status !== 'ready')
      throw new Error(`redis unavailable (connection ${this.commands.status})`);
    const tx = this.commands.multi();
    for (const s of signals) {
      tx.xadd(
        this.streamKey,
        'MAXLEN',
        '~',
        this.maxLen,
        '*',
        'seq',
        String(s.seq),
        'signal',
        JSON.stringify(s),
      );
    }
    const replies = await abortable(tx.exec(), abort);
    const failed = replies?.find(([err]) => err);
    if (!replies || failed) throw failed?.[0] ?? new Error('redis discarded the transaction');
  }

  subscribe(listener: BusListener): () => void {
    const entry: BusListener = (s) => listener(s);
    this.listeners.add(entry);
    if (!this.reader && !this.closed) {
      // A blocking XREAD ties up its connection, hence a second one. A socket silent for longer
      // than one block is dead (a reply, possibly empty, comes every blockMs).
      this.reader = this.connect('read', { maxRetriesPerRequest: 0, socketTimeout: this.blockMs + 3000 });
      this.loop = this.readLoop(this.reader);
    }
    return () => this.listeners.delete(entry);
  }

  /** False while either connection is down or the reader has not yet found its place. */
  healthy(): boolean {
    if (this.closed || this.commands.status !== 'ready') return false;
    return !this.reader || (this.reader.status === 'ready' && this.positioned);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.stop();
    this.reader?.disconnect();
    this.commands.disconnect();
    await this.loop;
    // ioredis leaves the socket-timeout timer of the blocking read that was pending armed after
    // disconnect(); it held a stopped node's process open for up to blockMs + 3 s after shutdown.
    const timer = (this.reader as unknown as { socketTimeoutTimer?: NodeJS.Timeout } | undefined)
      ?.socketTimeoutTimer;
    if (timer) clearTimeout(timer);
  }

  /** Never throws, never spins: while Redis is away it waits for the reconnect. */
  private async readLoop(reader: Redis): Promise<void> {
    while (!this.closed) {
      try {
        if (reader.status !== 'ready') {
          await this.until(reader, 'ready');
          continue;
        }
        if (!this.positioned) await this.position(reader);
        const reply = (await reader.xread(
          'COUNT',
          READ_COUNT,
          'BLOCK',
          this.blockMs,
          'STREAMS',
          this.streamKey,
          this.lastId ?? '$',
        )) as XReadReply;
        if (reply) this.deliver(reply);
      } catch (err) {
        if (this.closed) break;
        this.positioned = false;
        this.log.warn(
          { err, stream: this.streamKey },
          'redis bus read failed; gateways read from the store meanwhile',
        );
        // An error on a live connection (say the key holds another type) must not become a hot loop.
        if (reader.status === 'ready') await this.pause(Math.min(this.blockMs, 1000));
      }
    }
  }

  /**
   * First time: start after the newest entry (older signals come from the store). After a
   * reconnect: carry on from the last entry read, even if it was trimmed meanwhile (the gateway
   * repairs gaps), unless the stream now ends before it: then it was rebuilt (Redis restarted
   * empty, a failover or restore), and all of it is newer than what this node saw.
   */
  private async position(reader: Redis): Promise<void> {
    const [newest] = (await reader.xrevrange(this.streamKey, '+', '-', 'COUNT', 1)) as StreamEntry[];
    const end = newest?.[0] ?? '0-0';
    if (this.lastId === undefined) this.lastId = end;
    else if (compareStreamIds(end, this.lastId) < 0) {
      this.log.warn(
        { stream: this.streamKey, lastId: this.lastId, end },
        'redis bus stream was rebuilt; reading it from the start',
      );
      this.lastId = '0-0';
    }
    this.positioned = true;
  }

  private deliver(reply: NonNullable<XReadReply>): void {
    for (const [, entries] of reply) {
      const signals: Signal[] = [];
      for (const [id, fields] of entries) {
        this.lastId = id;
        const json = fields[fields.indexOf('signal') + 1];
        try {
          signals.push(JSON.parse(json ?? '') as Signal);
        } catch (err) {
          this.log.error({ err, stream: this.streamKey, id }, 'redis bus entry is not a signal; skipped');
        }
      }
      if (signals.length === 0) continue;
      for (const listener of [...this.listeners]) {
        try {
          listener(signals);
        } catch (err) {
          this.log.error({ err }, 'redis bus listener threw');
        }
      }
    }
  }

  /** Resolves on the client's event, or when the bus closes. */
  private until(client: Redis, event: 'ready'): Promise<void> {
    let done!: () => void;
    return Promise.race([
      new Promise<void>((resolve) => client.once(event, (done = resolve))),
      this.stopped,
    ]).finally(() => client.off(event, done));
  }

  private pause(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([new Promise<void>((r) => (timer = setTimeout(r, ms))), this.stopped]).finally(() =>
      clearTimeout(timer),
    );
  }
}

/** Settles with `p`, or rejects with the abort reason first. The operation itself is not undone. */
function abortable<T>(p: Promise<T>, abort: AbortSignal | undefined): Promise<T> {
  if (!abort) return p;
  abort.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abort.reason);
    abort.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => abort.removeEventListener('abort', onAbort));
  });
}
