import { createHash } from 'node:crypto';
import { contentKey, type SignalInput } from '../domain/signal.js';

/** Fingerprint of a signal's publisher-supplied content: tells an idempotent retry from a conflict. */
export function contentHash(s: SignalInput): string {
  return createHash('sha256').update(contentKey(s)).digest('base64url');
}
