// The console's REST calls: the admin token from session storage, errors in the protocol's shape.
// @ts-check

const KEY = 'catalyst.console.token';

export const session = {
  /** @returns {string | null} */
  token: () => sessionStorage.getItem(KEY),
  /** @param {string} token */
  save: (token) => sessionStorage.setItem(KEY, token),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * One call to this node. Resolves with the parsed body (or text); throws ApiError on a non-2xx
 * (status 0 when the node could not be reached).
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @param {string | null} [token]
 */
export async function call(method, path, body, token = session.token()) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    throw new ApiError(0, 'unreachable', 'the node does not answer');
  }
  const text = await res.text();
  let parsed = /** @type {any} */ (text);
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {}
  if (!res.ok) {
    const e = parsed && typeof parsed === 'object' ? parsed.error : undefined;
    throw new ApiError(res.status, e?.code ?? 'http_' + res.status, e?.message ?? `HTTP ${res.status}`);
  }
  return parsed;
}

/**
 * Calls `fn` now and every `ms` while the page is signed in; `stop()` ends it. A slow answer never
 * stacks a second call on top of it.
 * @param {() => Promise<void>} fn
 * @param {number} ms
 */
export function poll(fn, ms) {
  let timer = 0;
  let stopped = false;
  let inFlight = false;
  let again = false;
  const run = async () => {
    inFlight = true;
    try {
      await fn();
    } finally {
      inFlight = false;
      if (!stopped) {
        if (again) {
          again = false;
          void run();
        } else timer = window.setTimeout(run, ms);
      }
    }
  };
  void run();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    /** Polls at once (after a reconnect, say) instead of waiting for the next turn. */
    now() {
      if (stopped) return;
      if (inFlight) {
        again = true;
        return;
      }
      clearTimeout(timer);
      void run();
    },
  };
}
