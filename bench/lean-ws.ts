// A minimal WebSocket client for the subscriber load generators (RFC 6455: text frames in, masked
// text frames out, ping answered, close read). At 20,000 connections and 50,000 frames a second the
// `ws` client's per-frame work (a Buffer per read, a Writable per connection, events per frame) cost
// the generators more CPU than the server under test spent; on a 2-core machine that CPU is taken
// from the server. This reads every connection into one shared buffer and decodes a frame's text
// straight from it. It speaks only what the benchmark needs: no extensions, no subprotocols.
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { nowMs } from './stats.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP_CONT = 0x0;
const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;

/**
 * Every connection of the process reads into this one buffer. Safe because a read's bytes are
 * consumed (or copied into the connection's `rest`) inside its callback, before the next read.
 */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

export interface LeanHandlers {
  /** The upgrade succeeded. */
  open(): void;
  /** One text message; `at` is when the read that completed it returned. */
  text(text: string, at: number): void;
  /** The connection ended: the server's close code, 1006 without a close frame. Called once. */
  closed(code: number): void;
  /** Before open: the upgrade failed (refused, not 101, bad accept). */
  error(err: Error): void;
}

/** A client frame: masked, as RFC 6455 requires of clients. */
function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const hdr = len < 126 ? 2 : len < 65_536 ? 4 : 10;
  const out = Buffer.allocUnsafe(hdr + 4 + len);
  out[0] = 0x80 | opcode;
  if (len < 126) out[1] = 0x80 | len;
  else if (len < 65_536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(len), 2);
  }
  const mask = randomBytes(4);
  mask.copy(out, hdr);
  for (let i = 0; i < len; i++) out[hdr + 4 + i] = (payload[i] as number) ^ (mask[i & 3] as number);
  return out;
}

export class LeanWs {
  private readonly socket: net.Socket;
  private readonly key = randomBytes(16).toString('base64');
  private open = false;
  private ended = false;
  /** Bytes of an unfinished frame (or upgrade reply), copied out of the shared read buffer. */
  private rest: Buffer | undefined;
  /** Payloads of a fragmented text message so far. */
  private fragments: Buffer[] | undefined;

  constructor(
    url: string,
    headers: Record<string, string>,
    localAddress: string | undefined,
    private readonly on: LeanHandlers,
  ) {
    const u = new URL(url);
    this.socket = net.connect({
      host: u.hostname,
      port: Number(u.port || 80),
      ...(localAddress ? { localAddress } : {}),
      onread: {
        buffer: READ_BUFFER,
        callback: (n: number, buf: Uint8Array) => {
          this.feed(Buffer.from(buf.buffer, buf.byteOffset, n), nowMs());
          return true;
        },
      },
    });
    this.socket.setNoDelay(true);
    this.socket.on('connect', () => {
      const extra = Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      this.socket.write(
        `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${this.key}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
      );
    });
    this.socket.on('error', (err) => {
      if (!this.open) this.on.error(err);
    });
    this.socket.on('close', () => this.end(1006));
  }

  send(text: string): void {
    if (this.open && !this.ended) this.socket.write(maskedFrame(OP_TEXT, Buffer.from(text)));
  }

  /** Drops the connection without a close handshake (as `ws.terminate()`). */
  terminate(): void {
    this.socket.destroy();
  }

  private end(code: number): void {
    if (this.ended) return;
    this.ended = true;
    if (this.open) this.on.closed(code);
    else this.on.error(new Error(`connection closed during the upgrade (${code})`));
  }

  private fail(message: string): void {
    if (!this.open) this.on.error(new Error(message));
    this.socket.destroy();
  }

  private feed(chunk: Buffer, at: number): void {
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = undefined;
    let off = 0;
    if (!this.open) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        this.rest = Buffer.from(buf);
        return;
      }
      const head = buf.toString('latin1', 0, end);
      if (!head.startsWith('HTTP/1.1 101')) return this.fail(`upgrade refused: ${head.split('\r\n')[0]}`);
      const accept = createHash('sha1')
        .update(this.key + GUID)
        .digest('base64');
      if (!new RegExp(`^sec-websocket-accept: *${accept.replace(/[+/]/g, '\\$&')} *$`, 'im').test(head))
        return this.fail('upgrade reply without the right Sec-WebSocket-Accept');
      this.open = true;
      this.on.open();
      off = end + 4;
    }
    while (off + 2 <= buf.length && !this.ended) {
      const b0 = buf[off] as number;
      const b1 = buf[off + 1] as number;
      if (b1 & 0x80) return this.fail('masked frame from the server');
      let len = b1 & 0x7f;
      let hdr = 2;
      if (len === 126) {
        if (off + 4 > buf.length) break;
        len = buf.readUInt16BE(off + 2);
        hdr = 4;
      } else if (len === 127) {
        if (off + 10 > buf.length) break;
        len = Number(buf.readBigUInt64BE(off + 2));
        hdr = 10;
      }
      if (off + hdr + len > buf.length) break;
      this.frame(b0 & 0x0f, (b0 & 0x80) !== 0, buf, off + hdr, off + hdr + len, at);
      off += hdr + len;
    }
    // Copied: `buf` may be the shared read buffer, which the next read overwrites.
    if (off < buf.length && !this.ended) this.rest = Buffer.from(buf.subarray(off));
  }

  private frame(op: number, fin: boolean, buf: Buffer, start: number, end: number, at: number): void {
    if (op === OP_TEXT && fin) this.on.text(buf.toString('utf8', start, end), at);
    else if (op === OP_TEXT || op === OP_CONT) {
      (this.fragments ??= []).push(Buffer.from(buf.subarray(start, end)));
      if (fin) {
        const whole = Buffer.concat(this.fragments);
        this.fragments = undefined;
        this.on.text(whole.toString('utf8'), at);
      }
    } else if (op === OP_PING) this.socket.write(maskedFrame(0xa, Buffer.from(buf.subarray(start, end))));
    else if (op === OP_CLOSE) {
      const code = end - start >= 2 ? buf.readUInt16BE(start) : 1005;
      this.socket.end(maskedFrame(OP_CLOSE, Buffer.from(buf.subarray(start, Math.min(end, start + 2)))));
      this.end(code);
    }
  }
}
