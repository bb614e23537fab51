// The benchmark's subscriber client (bench/lean-ws.ts) against a real `ws` server: its delivery
// counts are only as good as its frame reader. Every payload length encoding, fragmented messages,
// frames split across reads and several frames in one read, ping, the close code, a refused upgrade.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type WebSocket, WebSocketServer } from 'ws';
import { LeanWs } from '../../bench/lean-ws.js';

interface Opened {
  client: LeanWs;
  server: WebSocket;
  texts: string[];
  closed: Promise<number>;
  /** Resolves once `n` texts arrived. */
  received(n: number): Promise<string[]>;
}

// A reader that loses a frame waits forever: the deadline turns that into a failure.
describe('bench lean WebSocket client', { timeout: 15_000 }, () => {
  let wss: WebSocketServer;
  let url: string;
  const authorizations: (string | undefined)[] = [];

  before(async () => {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    wss.on('headers', (_h, req) => authorizations.push(req.headers.authorization));
    await new Promise((r) => wss.once('listening', r));
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`;
  });
  after(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(r));
  });

  function open(target = url): Promise<Opened> {
    return new Promise((resolve, reject) => {
      const texts: string[] = [];
      let waiting: { n: number; done: (t: string[]) => void } | undefined;
      let onClosed: (code: number) => void = () => {};
      const closed = new Promise<number>((r) => (onClosed = r));
      const serverSide = new Promise<WebSocket>((r) => wss.once('connection', r));
      const client = new LeanWs(target, { authorization: 'Bearer t0k' }, '127.0.0.1', {
        open: () =>
          serverSide.then((server) =>
            resolve({
              client,
              server,
              texts,
              closed,
              received: (n) =>
                texts.length >= n ? Promise.resolve(texts) : new Promise((done) => (waiting = { n, done })),
            }),
          ),
        text: (t) => {
          texts.push(t);
          if (waiting && texts.length >= waiting.n) waiting.done(texts);
        },
        closed: (code) => onClosed(code),
        error: reject,
      });
    });
  }

  it('upgrades with the given headers and reads each length encoding, in order', async () => {
    const c = await open();
    assert.equal(authorizations.at(-1), 'Bearer t0k');
    const sent = [0, 1, 125, 126, 200, 65_535, 65_536, 100_000].map(
      (n) => 'é'.repeat(n >> 1) + 'x'.repeat(n & 1),
    );
    for (const t of sent) c.server.send(t);
    assert.deepEqual(await c.received(sent.length), sent);
    c.client.terminate();
  });

  it('joins a fragmented message and reads frames split across writes', async () => {
    const c = await open();
    c.server.send('one ', { fin: false });
    c.server.send('two ', { fin: false });
    c.server.send('three', { fin: true });
    // One frame handed to the socket a byte at a time: the reader must wait for the rest.
    const raw = Buffer.concat([Buffer.from([0x81, 5]), Buffer.from('hello')]);
    const socket = (c.server as unknown as { _socket: import('node:net').Socket })._socket;
    for (const byte of raw) {
      socket.write(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
    assert.deepEqual(await c.received(2), ['one two three', 'hello']);
    c.client.terminate();
  });

  it('sends masked text the server reads, answers ping, and reports the close code', async () => {
    const c = await open();
    const got = new Promise<string>((r) => c.server.once('message', (d) => r(String(d))));
    c.client.send('{"type":"subscribe"}');
    assert.equal(await got, '{"type":"subscribe"}');
    const pong = new Promise<string>((r) => c.server.once('pong', (d) => r(String(d))));
    c.server.ping('are you there');
    assert.equal(await pong, 'are you there');
    c.server.close(4001, 'bye');
    assert.equal(await c.closed, 4001);
  });

  it('reports 1006 when the connection drops without a close frame', async () => {
    const c = await open();
    c.server.terminate();
    assert.equal(await c.closed, 1006);
  });

  it('fails the upgrade on a non-WebSocket reply', async () => {
    const http = await import('node:http');
    const plain = http.createServer((_q, res) => res.writeHead(404).end('no'));
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    try {
      const port = (plain.address() as AddressInfo).port;
      await assert.rejects(open(`ws://127.0.0.1:${port}/ws`), /upgrade refused: HTTP\/1\.1 404/);
    } finally {
      plain.close();
    }
  });
});
