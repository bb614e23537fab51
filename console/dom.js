// Tiny DOM helpers: elements are built with textContent only, so no server string is ever HTML.
// @ts-check

/**
 * @param {string} tag
 * @param {Record<string, string> | null} [attrs]
 * @param {...(Node | string | number | null | undefined)} children
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (k === 'class') el.className = v;
    else el.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    el.append(typeof c === 'object' ? c : String(c));
  }
  return el;
}

/** @param {string} id */
export const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * A panel's parts: its content, error line and "updated" note.
 * @param {string} id
 */
export function panel(id) {
  const root = byId(id);
  const q = (/** @type {string} */ s) => /** @type {HTMLElement} */ (root.querySelector(s));
  const content = q('.content');
  const error = q('.error');
  const updated = q('.updated');
  return {
    /** @param {...Node} nodes */
    show(...nodes) {
      content.replaceChildren(...nodes);
      error.textContent = '';
      if (updated) updated.textContent = `updated ${new Date().toLocaleTimeString()}`;
      root.dataset.state = 'ok';
    },
    /** @param {string} text */
    empty(text) {
      this.show(h('p', { class: 'empty' }, text));
      root.dataset.state = 'empty';
    },
    /** Keeps the last good content (marked stale) and says what went wrong. @param {string} text */
    fail(text) {
      error.textContent = text;
      root.dataset.state = 'error';
    },
  };
}

/**
 * A table with a header row and one row per item.
 * @template T
 * @param {string[]} headers
 * @param {T[]} rows
 * @param {(row: T) => Array<Node | string | number | null | undefined>} cells
 */
export function table(headers, rows, cells) {
  return h(
    'table',
    null,
    h('thead', null, h('tr', null, ...headers.map((x) => h('th', null, x)))),
    h('tbody', null, ...rows.map((r) => h('tr', null, ...cells(r).map((c) => h('td', null, c))))),
  );
}

/** @param {string | null | undefined} iso */
export function ago(iso) {
  if (!iso) return '—';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}
