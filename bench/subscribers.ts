// The subscriber side of the fan-out benchmark, run as its own process (forked by bench/run.ts with
// an IPC channel) so that its CPU is not the server's. It opens N raw `ws` connections, subscribes
// each to one ticker (round-robin over the list, so each matches 1/len of the signals), and measures
// publish-to-deliver as receive time minus the publisher's `metadata.sent_at`.
//
// IPC: parent -> {type:'start', url, token, subscribers, tickers, connectConcurrency}
//      child  -> {type:'ready', connected, ms} | {type:'progress', ...}
//      parent -> {type:'report'}  -> child {type:'report', ...} and exits on {type:'exit'}.
import WebSocket from 'ws';
import { Recorder, nowMs, type Summary } from './stats.js';

export interface StartMessage {
  type: 'start';
  url: string;
  token: string;
  subscribers: number;
  tickers: string[];
  connectConcurrency: number;
}

export interface SubscriberReport {
  type: 'report';
  latency: Summary;
  /** Deliveries of measured (non-warm-up) signals. */
  measured: number;
  /** All signal messages received, warm-up included. */
  received: number;
  duplicates: number;
  outOfOrder: number;
  closed: number;
  closeCodes: Record<string, number>;
  errors: number;
  /** Measured deliveries per ticker. */
  perTicker: Record<string, number>;
}

interface SignalMsg {
  type: 'signal';
  seq: number;
  signal: { ticker: string; metadata?: { sent_at?: number; warmup?: boolean } };
}

const recorder = new Recorder();
let measured = 0;
let received = 0;
let duplicates = 0;
let outOfOrder = 0;
let closed = 0;
let errors = 0;
let stopping = false;
const closeCodes: Record<string, number> = {};
const perTicker: Record<string, number> = {};
const sockets: WebSocket[] = [];

function send(msg: object): void {
  process.send?.(msg);
}

function onSignal(m: SignalMsg, at: number, last: { seq: number }): void {
  received += 1;
  if (m.seq === last.seq) duplicates += 1;
  else if (m.seq < last.seq) outOfOrder += 1;
  last.seq = Math.max(last.seq, m.seq);
  const meta = m.signal.metadata;
  if (!meta || meta.warmup || typeof meta.sent_at !== 'number') return;
  measured += 1;
  perTicker[m.signal.ticker] = (perTicker[m.signal.ticker] ?? 0) + 1;
  recorder.add(at - meta.sent_at);
}

/** Opens one subscriber and resolves once the server confirmed the subscription. */
function connect(url: string, token: string, ticker: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${token}` },
      perMessageDeflate: false,
    });
    const last = { seq: 0 };
    let subscribed = false;
    ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', filters: { tickers: [ticker] } })));
    ws.on('message', (data: Buffer) => {
      const at = nowMs();
      const parsed = JSON.parse(data.toString('utf8')) as unknown;
      for (const m of Array.isArray(parsed) ? parsed : [parsed]) {
        const msg = m as { type: string };
        if (msg.type === 'signal') onSignal(msg as SignalMsg, at, last);
        else if (msg.type === 'subscribed' && !subscribed) {
          subscribed = true;
          resolve(ws);
        } else if (msg.type === 'error' || msg.type === 'reset') errors += 1;
      }
    });
    ws.on('error', (err) => {
      errors += 1;
      if (!subscribed) reject(err);
    });
    ws.on('close', (code) => {
      if (!stopping) {
        closed += 1;
        closeCodes[code] = (closeCodes[code] ?? 0) + 1;
      }
      if (!subscribed) reject(new Error(`closed ${code} before subscribing`));
    });
  });
}

async function start(msg: StartMessage): Promise<void> {
  const t0 = Date.now();
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= msg.subscribers) return;
      sockets.push(await connect(msg.url, msg.token, msg.tickers[i % msg.tickers.length] as string));
    }
  };
  await Promise.all(Array.from({ length: Math.min(msg.connectConcurrency, msg.subscribers) }, worker));
  send({ type: 'ready', connected: sockets.length, ms: Date.now() - t0 });
}

process.on('message', (raw: unknown) => {
  const msg = raw as { type: string };
  if (msg.type === 'start') {
    start(msg as StartMessage).catch((err: unknown) => {
      send({ type: 'failed', message: (err as Error).message });
    });
  } else if (msg.type === 'progress') {
    send({ type: 'progress', measured, received });
  } else if (msg.type === 'report') {
    const report: SubscriberReport = {
      type: 'report',
      latency: recorder.summary(),
      measured,
      received,
      duplicates,
      outOfOrder,
      closed,
      closeCodes,
      errors,
      perTicker,
    };
    send(report);
  } else if (msg.type === 'exit') {
    stopping = true;
    for (const ws of sockets) ws.terminate();
    process.disconnect?.();
    setTimeout(() => process.exit(0), 200).unref();
  }
});
process.on('disconnect', () => process.exit(0));
