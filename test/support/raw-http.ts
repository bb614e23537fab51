// A raw TCP client for HTTP the way a broken or hostile client sends it (no library would): bytes
// as given, optionally trickled or streamed, and what came back before the server closed.
import { connect } from 'node:net';
import { withDeadline } from './wait.js';

export interface RawReply {
  /** Everything the server sent. */
  text: string;
  /** The status of the first response line, if any. */
  status: number | undefined;
  /** The JSON body of the first response, if it had one. */
  body: any;
  /**
   * How the exchange ended: the server closed, reset (ECONNRESET / EPIPE), or answered in full and
   * kept the connection open.
   */
  ended: 'close' | 'reset' | 'answered';
  /** Milliseconds from connect to the end. */
  ms: number;
}

export interface RawOptions {
  /** Written after `head`: each chunk in turn, as fast as the socket takes them. */
  stream?: { chunk: Buffer; count: number };
  /** Written byte by byte after `head`, one every `everyMs`, until the server closes. */
  trickle?: { bytes: string; everyMs: number };
  /** Deadline for the whole exchange. */
  timeoutMs?: number;
}

export function rawHttp(url: string, head: string | Buffer, opts: RawOptions = {}): Promise<RawReply> {
  const { hostname, port } = new URL(url);
  const started = Date.now();
  const socket = connect({ host: hostname, port: Number(port) });
  const chunks: Buffer[] = [];
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<RawReply>((resolve) => {
    let reset = false;
    const finish = (ended: RawReply['ended']) => {
      clearInterval(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      const bodyText = text.split('\r\n\r\n')[1];
      let body: any;
      try {
        body = bodyText ? JSON.parse(bodyText) : undefined;
      } catch {
        body = undefined;
      }
      resolve({
        text,
        status: status ? Number(status) : undefined,
        body,
        ended,
        ms: Date.now() - started,
      });
    };
    socket.on('data', (d) => {
      chunks.push(d);
      if (complete(Buffer.concat(chunks).toString('latin1'))) finish('answered');
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') reset = true;
    });
    socket.on('close', () => finish(reset ? 'reset' : 'close'));
  });
  socket.once('connect', async () => {
    socket.write(head);
    if (opts.stream) {
      for (let i = 0; i < opts.stream.count && !socket.destroyed; i++) {
        if (!socket.write(opts.stream.chunk)) {
          await new Promise((r) => {
            socket.once('drain', r);
            socket.once('close', r);
          });
        }
      }
    }
    if (opts.trickle) {
      const { bytes, everyMs } = opts.trickle;
      let i = 0;
      timer = setInterval(() => {
        if (socket.destroyed || socket.writableEnded) return clearInterval(timer);
        socket.write(bytes[i++ % bytes.length]!);
      }, everyMs);
    }
  });
  return withDeadline(done, 'the server to answer and close', opts.timeoutMs ?? 10_000).finally(() => {
    clearInterval(timer);
    socket.destroy();
  });
}

/** Whether `text` holds a whole response with a Content-Length body. */
function complete(text: string): boolean {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, end))?.[1];
  return length !== undefined && Buffer.byteLength(text.slice(end + 4), 'latin1') >= Number(length);
}
