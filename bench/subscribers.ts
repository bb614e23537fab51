// The subscriber side of the benchmarks, run as its own process (forked with an IPC channel) so that
// its CPU is not the server's. It opens N connections, Catalyst's protocol over bench/lean-ws.ts
// (Catalyst and the raw baseline) or socket.io-client (the Socket.IO baseline), gives subscriber i the filter
// (offset + i) mod len, and measures publish-to-deliver as receive time minus the publisher's
// `metadata.sent_at`.
//
// IPC: parent -> {type:'start', ...StartMessage}      child -> {type:'ready', connected, ms}
//      parent -> {type:'progress'}                    child -> {type:'progress', measured, received}
//      parent -> {type:'resubscribe', filters}: new filters on the open connections -> {type:'resubscribed'}
//      parent -> {type:'storm'}: every connection dropped at once, then resumed (Catalyst: since_seq)
//                                                     child -> {type:'stormed', ms, resumed, resets}
//      parent -> {type:'report'}                      child -> SubscriberReport;  {type:'exit'} ends it.
import { io as ioClient, type Socket } from 'socket.io-client';
import { LeanWs } from './lean-ws.js';
import { Recorder, nowMs, type Summary } from './stats.js';
import type { Filters } from './workload.js';

export interface StartMessage {
  type: 'start';
  url: string;
  token: string;
  subscribers: number;
  /** One ticker filter each, round-robin (the older scenarios); `filters` wins when given. */
  tickers?: string[];
  filters?: Filters[];
  /** Global index of this process's first subscriber (filter assignment across processes). */
  offset?: number;
  protocol?: 'catalyst' | 'socketio';
  /** Source address of the connections (several loopback addresses widen the port space). */
  localAddress?: string;
  connectConcurrency: number;
}

export interface SubscriberReport {
  type: 'report';
  latency: Summary;
  /** Every measured latency sample (Recorder.raw), to merge across subscriber processes. */
  samples: string;
  /** Deliveries of measured (non-warm-up) signals. */
  measured: number;
  /** All signal messages received, warm-up included. */
  received: number;
  duplicates: number;
  outOfOrder: number;
  closed: number;
  closeCodes: Record<string, number>;
  errors: number;
  resets: number;
  /** Measured deliveries per ticker. */
  perTicker: Record<string, number>;
}

interface SignalMsg {
  type: 'signal';
  seq: number;
  signal: { ticker: string; metadata?: { sent_at?: number; warmup?: boolean } };
}

interface Sub {
  filter: Filters;
  /** Highest seq seen (or the welcome's last_seq before any): where a resume starts. */
  seq: number;
  close(): void;
  /** Replaces the filter on the open connection; resolves when the server confirmed it. */
  resubscribe(filter: Filters): Promise<void>;
}

const recorder = new Recorder();
let measured = 0;
let received = 0;
let duplicates = 0;
let outOfOrder = 0;
let closed = 0;
let errors = 0;
let resets = 0;
let stopping = false;
let storming = false;
const closeCodes: Record<string, number> = {};
const perTicker: Record<string, number> = {};
const subs: Sub[] = [];
let start: StartMessage;

function send(msg: object): void {
  process.send?.(msg);
}

function onSignal(m: SignalMsg, at: number, sub: Sub): void {
  received += 1;
  if (m.seq === sub.seq) duplicates += 1;
  else if (m.seq < sub.seq) outOfOrder += 1;
  sub.seq = Math.max(sub.seq, m.seq);
  const meta = m.signal.metadata;
  if (!meta || meta.warmup || typeof meta.sent_at !== 'number') return;
  measured += 1;
  perTicker[m.signal.ticker] = (perTicker[m.signal.ticker] ?? 0) + 1;
  recorder.add(at - meta.sent_at);
}

const TYPE = /"type":"/g;
const SIGNAL_SEQ = /\{"type":"signal","seq":(\d+)/g;
const TICKER = /"ticker":"([^"]*)"/g;
const SENT = /"sent_at":([-+.\deE]+)/g;
const WARMUP = /"warmup":(true|false)/g;

/**
 * A frame of signal messages only (one, or an array), read with regular expressions instead of
 * JSON.parse: at tens of thousands of deliveries a second the generator's parsing, not the server,
 * would otherwise set the pace. Returns false (parse it fully) for anything else.
 */
function fastSignals(text: string, at: number, sub: Sub): boolean {
  const seqs = [...text.matchAll(SIGNAL_SEQ)];
  if (seqs.length === 0 || seqs.length !== (text.match(TYPE)?.length ?? 0)) return false;
  const tickers = [...text.matchAll(TICKER)];
  const sent = [...text.matchAll(SENT)];
  const warm = [...text.matchAll(WARMUP)];
  if (tickers.length !== seqs.length || sent.length !== seqs.length || warm.length !== seqs.length)
    return false;
  seqs.forEach((m, i) =>
    onSignal(
      {
        type: 'signal',
        seq: Number(m[1]),
        signal: {
          ticker: tickers[i]?.[1] as string,
          metadata: { sent_at: Number(sent[i]?.[1]), warmup: warm[i]?.[1] === 'true' },
        },
      },
      at,
      sub,
    ),
  );
  return true;
}

function onClose(code: number | string): void {
  if (stopping || storming) return;
  closed += 1;
  closeCodes[code] = (closeCodes[code] ?? 0) + 1;
}

/** Catalyst's protocol: opens (or resumes) one subscriber; resolves once the server confirmed it. */
function connectCatalyst(sub: Sub, resume: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    let subscribed = false;
    let confirmed: (() => void) | undefined;
    const ws: LeanWs = new LeanWs(start.url, { authorization: `Bearer ${start.token}` }, start.localAddress, {
      open: () =>
        ws.send(
          JSON.stringify({
            type: 'subscribe',
            filters: sub.filter,
            ...(resume ? { since_seq: sub.seq } : {}),
          }),
        ),
      text: (text, at) => {
        if (fastSignals(text, at, sub)) return;
        const parsed = JSON.parse(text) as unknown;
        for (const m of Array.isArray(parsed) ? parsed : [parsed]) {
          const msg = m as { type: string; last_seq?: number };
          if (msg.type === 'signal') onSignal(msg as SignalMsg, at, sub);
          else if (msg.type === 'welcome') {
            if (!resume) sub.seq = Math.max(sub.seq, msg.last_seq ?? 0);
          } else if (msg.type === 'subscribed' && !subscribed) {
            subscribed = true;
            resolve();
          } else if (msg.type === 'subscribed') {
            confirmed?.();
            confirmed = undefined;
          } else if (msg.type === 'reset') resets += 1;
          else if (msg.type === 'error') errors += 1;
        }
      },
      closed: (code) => {
        onClose(code);
        if (!subscribed) reject(new Error(`closed ${code} before subscribing`));
      },
      error: (err) => {
        errors += 1;
        reject(err);
      },
    });
    sub.close = () => ws.terminate();
    sub.resubscribe = (filter) =>
      new Promise((done) => {
        sub.filter = filter;
        confirmed = done;
        ws.send(JSON.stringify({ type: 'subscribe', filters: filter }));
      });
  });
}

/** Socket.IO: one Manager per subscriber (forceNew), websocket only, no automatic reconnection. */
function connectSocketIo(sub: Sub): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket: Socket = ioClient(start.url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      ...(start.localAddress ? { localAddress: start.localAddress } : {}),
    } as Parameters<typeof ioClient>[1]);
    sub.close = () => socket.disconnect();
    sub.resubscribe = (filter) =>
      new Promise((done) => {
        sub.filter = filter;
        socket.emit('subscribe', filter, () => done());
      });
    socket.on('signal', (m: { seq: number; signal: SignalMsg['signal'] }) =>
      onSignal({ type: 'signal', ...m }, nowMs(), sub),
    );
    socket.on('connect', () => socket.emit('subscribe', sub.filter, () => resolve()));
    socket.on('connect_error', (err) => {
      errors += 1;
      reject(err);
    });
    socket.on('disconnect', (reason) => onClose(reason));
  });
}

const connect = (sub: Sub, resume: boolean) =>
  start.protocol === 'socketio' ? connectSocketIo(sub) : connectCatalyst(sub, resume);

async function pool(n: number, each: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) await each(i);
  };
  await Promise.all(Array.from({ length: Math.min(start.connectConcurrency, n) }, worker));
}

async function begin(msg: StartMessage): Promise<void> {
  start = msg;
  const t0 = Date.now();
  const filters = msg.filters ?? (msg.tickers ?? []).map((t) => ({ tickers: [t] }));
  await pool(msg.subscribers, async (i) => {
    const sub: Sub = {
      filter: filters[((msg.offset ?? 0) + i) % filters.length] ?? {},
      seq: 0,
      close: () => {},
      resubscribe: async () => {},
    };
    subs.push(sub);
    await connect(sub, false);
  });
  send({ type: 'ready', connected: subs.length, ms: Date.now() - t0 });
}

/** Drops every connection at once, then resumes them all; reports when the last is subscribed again. */
async function storm(): Promise<void> {
  storming = true;
  const resetsBefore = resets;
  for (const s of subs) s.close();
  const t0 = Date.now();
  let resumed = 0;
  await pool(subs.length, async (i) => {
    await connect(subs[i] as Sub, true);
    resumed += 1;
  });
  storming = false;
  send({ type: 'stormed', ms: Date.now() - t0, resumed, resets: resets - resetsBefore });
}

/** Gives subscriber i the filter (offset + i) mod len of a new list, on the open connections. */
async function resubscribe(msg: { filters: Filters[] }): Promise<void> {
  await pool(subs.length, (i) =>
    (subs[i] as Sub).resubscribe(msg.filters[((start.offset ?? 0) + i) % msg.filters.length] ?? {}),
  );
  send({ type: 'resubscribed' });
}

const fail = (err: unknown) => send({ type: 'failed', message: (err as Error).message });

process.on('message', (raw: unknown) => {
  const msg = raw as { type: string };
  if (msg.type === 'start') begin(msg as StartMessage).catch(fail);
  else if (msg.type === 'storm') storm().catch(fail);
  else if (msg.type === 'resubscribe') resubscribe(msg as unknown as { filters: Filters[] }).catch(fail);
  else if (msg.type === 'progress') send({ type: 'progress', measured, received });
  else if (msg.type === 'report') {
    const report: SubscriberReport = {
      type: 'report',
      latency: recorder.summary(),
      samples: recorder.raw(),
      measured,
      received,
      duplicates,
      outOfOrder,
      closed,
      closeCodes,
      errors,
      resets,
      perTicker,
    };
    send(report);
  } else if (msg.type === 'reset-stats') {
    recorder.clear();
    measured = received = duplicates = outOfOrder = closed = errors = resets = 0;
    for (const k of Object.keys(perTicker)) delete perTicker[k];
    send({ type: 'stats-reset' });
  } else if (msg.type === 'exit') {
    stopping = true;
    for (const s of subs) s.close();
    process.disconnect?.();
    setTimeout(() => process.exit(0), 200).unref();
  }
});
process.on('disconnect', () => process.exit(0));
