// The single catalogue of WebSocket disconnects: every close code the gateway sends, what it means
// and what a client does next, and every reason the gateway gives with it. The gateway closes by
// name (`Disconnects.auth_timeout`), the TypeScript client takes its reconnect rules from
// `CLOSE_CODES`, and docs/PROTOCOL.md's close-code table is checked against it by a test.

/**
 * What a client does after a close:
 * - `resume`: reconnect with backoff and resubscribe with since_seq (and epoch);
 * - `resume_after_backoff`: the same, but the server asked for air: the first retry waits longer;
 * - `stop`: retrying cannot succeed (the token is wrong, revoked or lacks the scope);
 * - `fix_client`: the client sent what the protocol forbids; reconnecting repeats it unless fixed.
 */
export type ClientAction = 'resume' | 'resume_after_backoff' | 'stop' | 'fix_client';

export interface CloseCodeInfo {
  readonly code: number;
  readonly meaning: string;
  readonly action: ClientAction;
  /** The "client should" column of docs/PROTOCOL.md. */
  readonly advice: string;
}

const code = (code: number, meaning: string, action: ClientAction, advice: string): CloseCodeInfo => ({
  code,
  meaning,
  action,
  advice,
});

export const CLOSE_CODES = {
  going_away: code(
    1001,
    'server shutting down (drained: everything committed was sent first)',
    'resume',
    'reconnect, resume with since_seq',
  ),
  message_too_big: code(1009, 'frame too big', 'fix_client', 'fix the client'),
  try_again_later: code(
    1013,
    'try again later (store unavailable during auth or replay)',
    'resume_after_backoff',
    'reconnect with backoff',
  ),
  bad_message: code(4400, 'too many bad messages', 'fix_client', 'fix the client'),
  unauthorized: code(4401, 'unauthorized or auth timeout', 'stop', 'stop; get a valid token'),
  forbidden: code(4403, 'token revoked or scope missing', 'stop', 'stop'),
  slow_consumer: code(
    4408,
    'slow consumer: its unsent data passed 1 MiB (`CATALYST_SEND_BUFFER_BYTES`)',
    'resume',
    'reconnect, resume with since_seq',
  ),
  rate_limited: code(4429, 'rate limited', 'resume_after_backoff', 'reconnect after a longer backoff'),
} as const satisfies Record<string, CloseCodeInfo>;

export type CloseCodeName = keyof typeof CLOSE_CODES;

/** Close code numbers by name. */
export const CloseCodes = Object.fromEntries(
  Object.entries(CLOSE_CODES).map(([name, info]) => [name, info.code]),
) as { readonly [K in CloseCodeName]: (typeof CLOSE_CODES)[K]['code'] };

export type CloseCode = (typeof CloseCodes)[CloseCodeName];

/** The client's action for a close code; codes outside the catalogue (1006, 1011...) resume. */
export function clientAction(closeCode: number): ClientAction {
  for (const info of Object.values(CLOSE_CODES)) if (info.code === closeCode) return info.action;
  return 'resume';
}

export interface Disconnect {
  readonly code: CloseCode;
  readonly reason: string;
}

const disconnect = (name: CloseCodeName, reason: string): Disconnect => ({
  code: CLOSE_CODES[name].code,
  reason,
});

/** Every disconnect the gateway makes, by name: its close code and the reason text sent with it. */
export const Disconnects = {
  shutting_down: disconnect('going_away', 'server shutting down, reconnect'),
  store_unavailable: disconnect('try_again_later', 'store unavailable, try again later'),
  replay_failed: disconnect('try_again_later', 'replay failed, resume later'),
  too_many_bad_messages: disconnect('bad_message', 'too many bad messages'),
  bad_client_id: disconnect('bad_message', 'client_id must be 1-128 characters of A-Z a-z 0-9 _ . : -'),
  auth_timeout: disconnect('unauthorized', 'auth timeout'),
  authenticate_first: disconnect('unauthorized', 'authenticate first'),
  invalid_token: disconnect('unauthorized', 'invalid or revoked token'),
  missing_scope: disconnect('forbidden', 'token lacks the subscribe scope'),
  token_revoked: disconnect('forbidden', 'token revoked'),
  slow_consumer: disconnect('slow_consumer', 'slow consumer: resume with since_seq'),
  too_many_messages: disconnect('rate_limited', 'too many messages'),
  too_many_connects: disconnect('rate_limited', 'too many connects'),
} as const satisfies Record<string, Disconnect>;

export type DisconnectName = keyof typeof Disconnects;
