// A raw WebSocket client for end-to-end tests: it speaks the wire protocol by hand (no
// CatalystClient logic in between), records every message (array frames flattened) and lets a
// test wait on a message or on the close with a deadline.
import WebSocket from 'ws';
import type { Signal } from '../../src/domain/signal.js';
import { waitFor, withDeadline } from './wait.js';

// Deadlines only bound a failure (the guarantees are what the tests assert), so they are set for a
// loaded 2-core machine running the two-node suite, not for a quiet one.
const WAIT_MS = 30_000;

export type Message = Record<string, any> & { type: string };

export interface Closed {
  code: number;
  reason: string;
}

export class WsClient {
  /** Every server message so far, in arrival order. */
  readonly messages: Message[] = [];
  /** The signals among them (kept as they arrive: tests poll this often, on thousands of signals). */
  private readonly received: Signal[] = [];
  /** Frames that were not JSON (the protocol never sends those). */
  readonly garbage: string[] = [];
  readonly closed: Promise<Closed>;
  /** Set once the close arrived. */
  closedWith: Closed | undefined;
  private cursor = 0;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => {
        this.closedWith = { code, reason: reason.toString() };
        resolve(this.closedWith);
      }),
    );
    ws.on('error', () => {}); // a close always follows; tests look at that
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        this.garbage.push(text);
        return;
      }
      for (const m of (Array.isArray(parsed) ? parsed : [parsed]) as Message[]) {
        this.messages.push(m);
        if (m.type === 'signal') this.received.push({ ...(m.signal as Signal), seq: m.seq as number });
      }
    });
  }

  /** Opens a socket; resolves once the upgrade succeeded. `token` goes in an Authorization header. */
  static async open(url: string, opts: { token?: string; timeoutMs?: number } = {}): Promise<WsClient> {
    const headers = opts.token === undefined ? {} : { authorization: `Bearer ${opts.token}` };
    const ws = new WebSocket(url, { headers });
    const client = new WsClient(ws);
    await withDeadline(
      new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('unexpected-response', (_req, res) =>
          reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)),
        );
        ws.once('error', reject);
      }),
      `WebSocket ${url} to open`,
      opts.timeoutMs ?? WAIT_MS,
    );
    return client;
  }

  /** Opens, authenticates with an auth message and waits for the welcome. */
  static async authed(url: string, token: string): Promise<WsClient> {
    const c = await WsClient.open(url);
    c.send({ type: 'auth', token });
    await c.next((m) => m.type === 'welcome', 10_000, 'welcome');
    return c;
  }

  /** The stream's head (last_seq of a welcome). */
  static async head(url: string, token: string): Promise<number> {
    const c = await WsClient.authed(url, token);
    c.close();
    return c.messages[0]?.last_seq as number;
  }

  /** Opens, authenticates and subscribes; resolves with the client and its `subscribed` message. */
  static async subscribed(
    url: string,
    token: string,
    filters: object = {},
    sinceSeq?: number,
  ): Promise<WsClient> {
    const c = await WsClient.authed(url, token);
    await c.subscribe(filters, sinceSeq);
    return c;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  async subscribe(filters: object = {}, sinceSeq?: number): Promise<Message> {
    this.send({ type: 'subscribe', filters, ...(sinceSeq === undefined ? {} : { since_seq: sinceSeq }) });
    return this.next((m) => m.type === 'subscribed' || m.type === 'reset', WAIT_MS, 'subscribed');
  }

  /**
   * The first message after the one the previous `next` returned that satisfies `predicate`;
   * waits for it with a deadline.
   */
  async next(
    predicate: (m: Message) => boolean = () => true,
    timeoutMs = WAIT_MS,
    what = 'a matching message',
  ): Promise<Message> {
    let i = this.cursor; // each message is checked once
    return waitFor(
      () => {
        for (; i < this.messages.length; i++) {
          const m = this.messages[i] as Message;
          if (predicate(m)) {
            this.cursor = i + 1;
            return m;
          }
        }
        if (this.closedWith)
          throw new Error(
            `closed (${this.closedWith.code} ${this.closedWith.reason}) while waiting for ${what}`,
          );
        return undefined;
      },
      what,
      timeoutMs,
      5,
    );
  }

  /** The signals received so far, in arrival order. */
  signals(): readonly Signal[] {
    return this.received;
  }

  seqs(): number[] {
    return this.signals().map((s) => s.seq);
  }

  /** Waits until at least `count` signals arrived. */
  async waitForSignals(count: number, timeoutMs = WAIT_MS): Promise<readonly Signal[]> {
    await waitFor(() => this.received.length >= count || this.closedWith, `${count} signals`, timeoutMs, 5);
    if (this.received.length < count) {
      throw new Error(`closed (${this.closedWith?.code}) after ${this.received.length} of ${count} signals`);
    }
    return this.received;
  }

  /**
   * Resolves once the server has sent this session everything up to `seq`: it pings until a pong
   * names a last_seq at or past it (the server answers in order, after what it already sent).
   */
  async caughtUp(seq: number, timeoutMs = WAIT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let n = 0; ; n++) {
      const ts = Date.now() * 1000 + (n % 1000);
      this.send({ type: 'ping', ts });
      const pong = await this.next(
        (m) => m.type === 'pong' && m.ts === ts,
        Math.max(1, deadline - Date.now()),
        'pong',
      );
      if (pong.last_seq >= seq) return;
      if (Date.now() > deadline)
        throw new Error(`the server's last_seq stayed at ${pong.last_seq}, below ${seq}`);
    }
  }

  /** Waits for the close; fails after the deadline. */
  waitClosed(timeoutMs = WAIT_MS): Promise<Closed> {
    return withDeadline(this.closed, 'the socket to close', timeoutMs);
  }

  /** Stops reading from the TCP socket: the server's writes back up (a consumer that stopped reading). */
  pauseReading(): void {
    (this.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  }

  resumeReading(): void {
    (this.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.terminate();
  }
}
