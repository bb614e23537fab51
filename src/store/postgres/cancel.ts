// Cancels what a connection is running, with the protocol's CancelRequest (what psql sends on
// Ctrl-C) on a fresh socket. Destroying our own socket is not enough: PostgreSQL notices a vanished
// client only when it next writes to it, so a query waiting on a lock would keep running (and keep
// its locks) until statement_timeout. Best effort and bounded: a wedged network ends it by timeout.
import { connect } from 'node:net';
import type pg from 'pg';

const CANCEL_REQUEST_CODE = 80877102;

export function cancelBackend(client: pg.ClientBase, timeoutMs = 1000): void {
  const c = client as unknown as { processID?: number; secretKey?: number; host: string; port: number };
  if (!c.processID || c.secretKey === undefined) return;
  const msg = Buffer.alloc(16);
  msg.writeInt32BE(16, 0);
  msg.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  msg.writeInt32BE(c.processID, 8);
  msg.writeInt32BE(c.secretKey, 12);
  const socket = c.host.startsWith('/')
    ? connect({ path: `${c.host}/.s.PGSQL.${c.port}` })
    : connect({ host: c.host, port: c.port });
  socket.setTimeout(timeoutMs, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  // The server answers nothing: it closes the socket once it has read the request.
  socket.on('connect', () => socket.end(msg));
}
