// Close codes with their reason and what a client does next, as the API documents present them.
// The codes come from the protocol catalogue in domain/errors.ts; the Record type makes a new code
// there fail to compile until it is described here.
// TODO(lead): once src/domain/disconnects.ts exports each code with its reason and client action,
// this file becomes a re-export of it.
import { CloseCodes } from '../domain/errors.js';

/** What a client does after a close: the only distinction a client implementation acts on. */
export type CloseAction = 'resume' | 'backoff' | 'stop' | 'fix_client';

export interface CloseCodeEntry {
  name: string;
  code: number;
  reason: string;
  action: CloseAction;
}

const described: Record<keyof typeof CloseCodes, { reason: string; action: CloseAction }> = {
  going_away: { reason: 'server shutting down; everything committed was sent first', action: 'resume' },
  message_too_big: { reason: 'frame over the size limit', action: 'fix_client' },
  try_again_later: { reason: 'store unavailable during auth or replay', action: 'backoff' },
  bad_message: { reason: 'too many bad messages in a row', action: 'fix_client' },
  unauthorized: { reason: 'unauthorized or auth timeout', action: 'stop' },
  forbidden: { reason: 'token revoked or scope missing', action: 'stop' },
  slow_consumer: { reason: 'slow consumer: unsent data passed the send buffer limit', action: 'resume' },
  rate_limited: { reason: 'rate limited', action: 'backoff' },
};

export const closeCatalogue: CloseCodeEntry[] = Object.entries(CloseCodes).map(([name, code]) => ({
  name,
  code,
  ...described[name as keyof typeof CloseCodes],
}));

export const closeActionMeaning: Record<CloseAction, string> = {
  resume: 'reconnect at once and resume with since_seq and epoch',
  backoff: 'reconnect after a jittered backoff, then resume',
  stop: 'do not reconnect; a new token is needed',
  fix_client: 'do not reconnect; the client sent something wrong',
};
