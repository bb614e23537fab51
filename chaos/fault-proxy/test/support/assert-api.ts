// Toxiproxy's error shape: JSON text sent as text/plain with nosniff and a trailing newline.
import assert from 'node:assert/strict';
import type { HttpResult } from './harness.js';

export function assertApiError(r: HttpResult, status: number, message: string): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.text, `${JSON.stringify({ error: message, status })}\n`);
  assert.equal(r.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
}

export const parsed = (r: HttpResult) => JSON.parse(r.text) as Record<string, unknown>;
