// The live signal tape: one WebSocket session that authenticates, subscribes from its resume
// position, reconnects with full-jitter backoff and resumes where it stopped. What to do after each
// close code is read from the node's AsyncAPI document (its x-close-codes catalogue), not restated.
// @ts-check

/** @typedef {{ min_confidence?: number, tickers?: string[], catalysts?: string[], sentiment?: string }} Filters */
/** @typedef {'resume' | 'resume_after_backoff' | 'stop' | 'fix_client'} CloseAction */
/**
 * @typedef {object} TapeEvents
 * @property {(state: string, detail?: string) => void} state
 * @property {(signals: any[], replayed: boolean) => void} signals
 * @property {(position: { epoch: string, seq: number }) => void} position
 * @property {(text: string) => void} notice
 * @property {(code: number, reason: string) => void} stopped
 */

/** How many of the newest stored signals a fresh tape shows before going live. */
const BACKLOG = 100;

export class Tape {
  /**
   * @param {() => string | null} token
   * @param {TapeEvents} on
   */
  constructor(token, on) {
    this.token = token;
    this.on = on;
    /** @type {WebSocket | null} */
    this.ws = null;
    /** @type {Filters} */
    this.filters = {};
    this.epoch = '';
    /** Every matching signal up to here has been shown: the resume point. */
    this.seq = -1;
    this.paused = false;
    this.attempt = 0;
    this.stoppedForGood = false;
    this.retryTimer = 0;
    this.watchdog = 0;
    this.heartbeatMs = 15_000;
    /** @type {Map<number, CloseAction>} */
    this.actions = new Map();
  }

  async start() {
    try {
      const doc = await (await fetch('/asyncapi.json')).json();
      for (const c of doc.channels.session['x-close-codes']) this.actions.set(c.code, c.action);
    } catch {
      // Without the catalogue every close is resumed with backoff, as for a code it does not list.
    }
    this.connect();
  }

  stop() {
    this.stoppedForGood = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.watchdog);
    this.ws?.close(1000, 'signed out');
  }

  /** @param {Filters} filters */
  setFilters(filters) {
    this.filters = filters;
    // A new filter shows its own recent history: start again from the backlog window.
    this.seq = this.seq < 0 ? -1 : Math.max(0, this.seq - BACKLOG);
    this.on.signals([], false);
    this.subscribe();
  }

  pause() {
    this.paused = true;
    this.send({ type: 'unsubscribe' });
    this.on.state('paused', `at seq ${this.seq}`);
  }

  resume() {
    this.paused = false;
    this.subscribe();
  }

  reconnectNow() {
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    this.connect();
  }

  connect() {
    if (this.stoppedForGood) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/ws`);
    this.ws = ws;
    this.on.state(this.attempt === 0 ? 'connecting' : 'reconnecting', `attempt ${this.attempt + 1}`);
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token: this.token() }));
    ws.onmessage = (ev) => {
      this.feedWatchdog();
      const data = JSON.parse(String(ev.data));
      const list = Array.isArray(data) ? data : [data];
      const signals = list.filter((m) => m.type === 'signal');
      // Paused, signals the node sent before it read our unsubscribe are left for the resume's
      // replay (from the position, which they do not move), so what came meanwhile shows once.
      if (signals.length > 0 && !this.paused) {
        this.seq = Math.max(this.seq, ...signals.map((m) => m.seq));
        this.on.signals(
          signals.map((m) => m.signal),
          Array.isArray(data),
        );
        this.emitPosition();
      }
      for (const m of list) if (m.type !== 'signal') this.handle(m);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      clearTimeout(this.watchdog);
      this.closed(ev.code, ev.reason);
    };
  }

  /** @param {any} m */
  handle(m) {
    switch (m.type) {
      case 'welcome':
        this.heartbeatMs = m.heartbeat_ms;
        if (this.epoch && this.epoch !== m.epoch)
          this.on.notice('The store has a new history (epoch changed).');
        if (this.seq < 0) this.seq = Math.max(0, m.last_seq - BACKLOG);
        if (!this.epoch) this.epoch = m.epoch;
        this.attempt = 0;
        this.emitPosition();
        if (this.paused) this.on.state('paused', `at seq ${this.seq}`);
        else this.subscribe();
        break;
      case 'subscribed':
        this.on.state('live', m.replay.count > 0 ? `replayed ${m.replay.count}` : '');
        break;
      case 'heartbeat':
      case 'pong':
        if (!this.paused && m.last_seq > this.seq) {
          this.seq = m.last_seq;
          this.emitPosition();
        }
        break;
      case 'reset':
        // Our position belongs to another history: show the new one from its recent backlog.
        this.epoch = m.epoch;
        this.seq = Math.max(0, m.last_seq - BACKLOG);
        this.on.signals([], false);
        this.on.notice(`The stream was reset (new epoch ${m.epoch.slice(0, 8)}); showing it afresh.`);
        this.subscribe();
        break;
      case 'error':
        this.on.notice(`The node refused a message: ${m.message}`);
        break;
    }
  }

  subscribe() {
    if (this.paused) return;
    /** @type {Record<string, unknown>} */
    const msg = { type: 'subscribe', filters: this.filters };
    if (this.seq >= 0) Object.assign(msg, { since_seq: this.seq, epoch: this.epoch });
    this.send(msg);
  }

  /** @param {object} msg */
  send(msg) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  emitPosition() {
    this.on.position({ epoch: this.epoch, seq: this.seq });
  }

  /** Silence for over two heartbeats means a dead link nobody closed: drop it and reconnect. */
  feedWatchdog() {
    clearTimeout(this.watchdog);
    this.watchdog = window.setTimeout(() => this.ws?.close(4000, 'heartbeat missed'), this.heartbeatMs * 2.5);
  }

  /**
   * @param {number} code
   * @param {string} reason
   */
  closed(code, reason) {
    if (this.stoppedForGood) return;
    const action = this.actions.get(code) ?? 'resume';
    if (action === 'stop' || action === 'fix_client') {
      this.stoppedForGood = true;
      this.on.stopped(code, reason);
      return;
    }
    // Full jitter: a fleet of consoles and clients that lost a node do not return in step; a
    // server that asked for air (1013, 4429) gets four times as much.
    const cap = Math.min(30_000, 500 * 2 ** this.attempt) * (action === 'resume_after_backoff' ? 4 : 1);
    const delay = Math.random() * cap;
    this.attempt += 1;
    this.on.state(
      'lost',
      `${reason || 'connection lost'} (${code}); reconnecting in ${(delay / 1000).toFixed(1)} s`,
    );
    this.retryTimer = window.setTimeout(() => this.connect(), delay);
  }
}
