// The console's page: sign in, then the tape and the polled panels until sign-out or a token that
// stops working.
// @ts-check
import { ApiError, call, poll, session } from './api.js';
import { byId, h } from './dom.js';
import { breakerBoard, pipelinePanel, ratesPanel, tokensPanel } from './panels.js';
import { Tape } from './tape.js';

const MAX_ROWS = 500;
const EMPTY_TAPE = 'No signals yet. New ones appear here as they are published.';

/** @type {Array<{ stop(): void }>} */
let running = [];
/** @type {Array<{ stop(): void, now(): void }>} */
let polls = [];

/** @param {string} state @param {string} text */
function link(state, text) {
  const el = byId('link');
  el.dataset.state = state;
  el.textContent = text;
}

/** @param {string} [message] */
function showSignIn(message = '') {
  for (const r of running) r.stop();
  running = [];
  polls = [];
  byId('board').hidden = true;
  byId('signout').hidden = true;
  byId('signin').hidden = false;
  byId('signin-error').textContent = message;
  link('idle', 'signed out');
  /** @type {HTMLInputElement} */ (byId('token')).focus();
}

/** @param {string} token */
async function signIn(token) {
  try {
    await call('GET', '/admin/dependencies', undefined, token);
  } catch (err) {
    const e = /** @type {ApiError} */ (err);
    const why =
      e.status === 401
        ? 'That token is unknown or revoked.'
        : e.status === 403
          ? 'That token lacks the admin scope.'
          : `The node refused: ${e.message}`;
    return showSignIn(why);
  }
  session.save(token);
  start();
}

/** @param {any} s */
function tapeRow(s) {
  const sent = s.sentiment > 0 ? 'pos' : s.sentiment < 0 ? 'neg' : '';
  return h(
    'tr',
    { 'data-seq': String(s.seq) },
    h('td', { class: 'mono' }, s.seq),
    h('td', { class: 'mono' }, new Date(s.published_at).toLocaleTimeString()),
    h('td', null, h('b', null, s.ticker)),
    h('td', null, s.catalyst),
    h(
      'td',
      { class: 'title' },
      s.url ? h('a', { href: s.url, rel: 'noreferrer noopener', target: '_blank' }, s.title) : s.title,
    ),
    h('td', { class: 'num' }, s.confidence.toFixed(2)),
    h('td', { class: `num ${sent}` }, s.sentiment.toFixed(2)),
    h('td', { class: 'num' }, s.score === undefined ? '—' : s.score.toFixed(2)),
  );
}

function startTape() {
  const body = /** @type {HTMLElement} */ (byId('tape-table').querySelector('tbody'));
  const empty = byId('tape-empty');
  const pauseButton = byId('tape-pause');
  const reconnectButton = byId('tape-reconnect');
  const notice = byId('tape-notice');
  const tape = new Tape(session.token, {
    state(state, detail = '') {
      byId('tape').dataset.state = state;
      byId('tape-state').textContent = detail ? `${state} · ${detail}` : state;
      reconnectButton.hidden = state !== 'lost';
      if (state === 'live') {
        link('live', 'connected');
        // Back after a lost connection: refresh every panel now rather than at its next turn.
        for (const p of polls) p.now();
      } else if (state === 'lost') link('lost', 'connection lost');
      else if (state === 'reconnecting' || state === 'connecting') link('connecting', state);
    },
    signals(signals) {
      if (signals.length === 0 && body.childElementCount > 0) body.replaceChildren();
      // Newest first; a replayed page arrives oldest first.
      for (const s of signals) body.prepend(tapeRow(s));
      while (body.childElementCount > MAX_ROWS) body.lastElementChild?.remove();
      empty.hidden = body.childElementCount > 0;
    },
    position({ epoch, seq }) {
      byId('tape-position').textContent = `resume at seq ${seq} · epoch ${epoch.slice(0, 8)}`;
    },
    notice(text) {
      notice.textContent = text;
      notice.hidden = false;
    },
    stopped(code, reason) {
      link('lost', 'stopped');
      if (code === 4401 || code === 4403) {
        session.clear();
        showSignIn(`The node ended this session: ${reason || code}. Sign in with a valid admin token.`);
      } else {
        tape.on.state('stopped', `${reason} (${code})`);
      }
    },
  });
  pauseButton.onclick = () => {
    if (tape.paused) {
      tape.resume();
      pauseButton.textContent = 'Pause';
    } else {
      tape.pause();
      pauseButton.textContent = 'Resume';
    }
  };
  reconnectButton.onclick = () => tape.reconnectNow();
  /** @type {HTMLFormElement} */ (byId('tape-filters')).onsubmit = (ev) => {
    ev.preventDefault();
    const form = new FormData(/** @type {HTMLFormElement} */ (ev.target));
    const list = (/** @type {string} */ k) =>
      String(form.get(k) ?? '')
        .split(/[\s,]+/)
        .filter(Boolean);
    /** @type {import('./tape.js').Filters} */
    const filters = {};
    if (list('tickers').length) filters.tickers = list('tickers');
    if (list('catalysts').length) filters.catalysts = list('catalysts');
    if (form.get('min_confidence')) filters.min_confidence = Number(form.get('min_confidence'));
    if (form.get('sentiment')) filters.sentiment = String(form.get('sentiment'));
    notice.hidden = true;
    empty.textContent =
      Object.keys(filters).length > 0
        ? 'No signals match these filters yet. Matching ones appear here as they are published.'
        : EMPTY_TAPE;
    tape.setFilters(filters);
  };
  void tape.start();
  return tape;
}

function startTokens() {
  const once = byId('token-once');
  const panel = tokensPanel(async (name) => {
    if (!confirm(`Revoke ${name}? Its sessions end within a second.`)) return;
    try {
      await call('DELETE', `/admin/tokens/${encodeURIComponent(name)}`);
    } catch (err) {
      panel.fail(err);
    }
    await panel.refresh();
  });
  /** @type {HTMLFormElement} */ (byId('token-create')).onsubmit = async (ev) => {
    ev.preventDefault();
    const form = /** @type {HTMLFormElement} */ (ev.target);
    const data = new FormData(form);
    const scopes = data.getAll('scope').map(String);
    if (scopes.length === 0) return panel.fail(new Error('Pick at least one scope.'));
    try {
      const created = await call('POST', '/admin/tokens', { name: String(data.get('name')), scopes });
      byId('token-once-value').textContent = created.token;
      once.hidden = false;
      form.reset();
    } catch (err) {
      panel.fail(err);
    }
    await panel.refresh();
  };
  byId('token-once-done').onclick = () => {
    byId('token-once-value').textContent = '';
    once.hidden = true;
  };
  return poll(panel.refresh, 10_000);
}

function start() {
  byId('signin').hidden = true;
  byId('board').hidden = false;
  byId('signout').hidden = false;
  const deps = breakerBoard(() => {
    for (const p of polls.slice(1)) p.now();
  });
  const rates = ratesPanel();
  const pipeline = pipelinePanel();
  polls = [poll(deps, 1000), poll(rates, 2000), poll(pipeline, 5000), startTokens()];
  running = [startTape(), ...polls];
}

byId('signin-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const input = /** @type {HTMLInputElement} */ (byId('token'));
  const token = input.value.trim();
  input.value = '';
  void signIn(token);
});
byId('signout').addEventListener('click', () => {
  session.clear();
  showSignIn();
});

const saved = session.token();
if (saved) void signIn(saved);
else showSignIn();
