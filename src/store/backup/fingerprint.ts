// Ordered fingerprints: one SHA-256 over a line per row, in a fixed order, so two stores have the same
// fingerprint exactly when they hold the same rows in the same order. A signal's line is its seq, id
// and content hash: the content hash covers the publisher's content, and verify checks separately
// that each body still hashes to it.
import { createHash, type Hash } from 'node:crypto';
import type { TokenRow } from '../token-row.js';
import type { SignalRow } from './snapshot.js';

export class Fingerprint {
  private readonly hash: Hash = createHash('sha256');

  addSignal(r: Pick<SignalRow, 'seq' | 'id' | 'content_hash'>): void {
    this.hash.update(`${r.seq}\t${r.id}\t${r.content_hash}\n`);
  }

  addToken(t: TokenRow): void {
    const iso = (v: string | Date | null) => (v === null ? '' : new Date(v).toISOString());
    this.hash.update(`${t.name}\t${t.hash}\t${t.scopes}\t${iso(t.created_at)}\t${iso(t.revoked_at)}\n`);
  }

  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}
