// Requests Node's HTTP parser rejects before Fastify sees them (malformed request line, bad chunk
// size, Content-Length with Transfer-Encoding, headers too large, a request or its headers too
// slow) get the protocol's error body like every other error, not Fastify's own.
//
// The answer is written with end(), and whatever the client still sends is read and dropped until
// it closes (or a grace passes): closing a socket with unread data makes the kernel send a reset,
// and a reset may make the client's kernel drop the answer before the client reads it.
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { type ErrorCode, errorBody } from '../domain/errors.js';

/** How long a rejected client may keep sending before its socket is destroyed. */
export const DRAIN_GRACE_MS = 2000;

const BY_NODE_CODE: Record<string, { status: number; code: ErrorCode; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'request_timeout',
    message: 'the request did not arrive in time; send it at once',
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'headers_too_large',
    message: 'the request headers are too large',
  },
};

export function clientErrorHandler(log: FastifyBaseLogger) {
  return (err: Error & { code?: string }, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const known = err.code ? BY_NODE_CODE[err.code] : undefined;
    const { status, code, message } = known ?? {
      status: 400,
      code: 'invalid_request' as const,
      message: `malformed HTTP request (${err.code ?? 'parse error'})`,
    };
    log.debug({ err, code: err.code }, 'client error');
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify(errorBody(code, message));
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    drainThenDestroy(socket);
  };
}

/** Reads and drops what a rejected client still sends, then destroys the socket. */
export function drainThenDestroy(socket: Socket): void {
  socket.on('data', () => {});
  socket.resume();
  socket.once('end', () => socket.destroy());
  const timer = setTimeout(() => socket.destroy(), DRAIN_GRACE_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
