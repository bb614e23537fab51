// The response shapes Toxiproxy produces, including Go's quirks: http.Error turns every error into
// text/plain with nosniff and a trailing newline, even though the body is JSON.
import type { ServerResponse } from 'node:http';
import type { ApiError } from '../errors.js';

export interface Reply {
  status: number;
  body?: string;
  contentType?: string;
}

export const json = (status: number, value: unknown): Reply => ({
  status,
  body: JSON.stringify(value),
  contentType: 'application/json',
});

export const empty = (status: number): Reply => ({ status });

export const goError = (status: number, text: string): Reply => ({
  status,
  body: `${text}\n`,
  contentType: 'text/plain; charset=utf-8',
});

export const apiError = (err: ApiError): Reply =>
  goError(err.status, JSON.stringify({ error: err.message, status: err.status }));

export const notFound = (): Reply => goError(404, '404 page not found');

export function send(res: ServerResponse, reply: Reply): void {
  if (reply.contentType) res.setHeader('Content-Type', reply.contentType);
  if (reply.contentType?.startsWith('text/plain; charset'))
    res.setHeader('X-Content-Type-Options', 'nosniff');
  if (reply.body === undefined) {
    res.writeHead(reply.status).end();
    return;
  }
  res.setHeader('Content-Length', Buffer.byteLength(reply.body));
  res.writeHead(reply.status).end(reply.body);
}
