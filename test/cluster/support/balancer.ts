// A tiny TCP load balancer on loopback, as users put in front of several nodes (no sticky sessions):
// each new connection goes to the next backend in turn that accepts it; a backend that refuses is
// skipped. When a backend dies its connections break, and the client's reconnect lands elsewhere.
import net from 'node:net';

export class TcpBalancer {
  /** host:port of the backend each accepted connection went to, in order. */
  readonly routed: number[] = [];
  private next = 0;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    private readonly backends: () => number[],
  ) {}

  /** `backends` is read for every connection, so a test can add or drop nodes. */
  static async start(backends: () => number[]): Promise<TcpBalancer> {
    let self: TcpBalancer | undefined;
    const server = net.createServer((client) => self?.accept(client));
    self = new TcpBalancer(server, backends);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return self;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  private track(s: net.Socket): void {
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
    s.on('error', () => s.destroy());
  }

  private accept(client: net.Socket): void {
    this.track(client);
    client.pause();
    const ports = this.backends();
    const start = this.next++;
    const attempt = (i: number) => {
      if (i >= ports.length || client.destroyed) {
        client.destroy();
        return;
      }
      const port = ports[(start + i) % ports.length] as number;
      const upstream = net.connect({ host: '127.0.0.1', port });
      let connected = false;
      upstream.once('error', () => {
        if (!connected) attempt(i + 1);
      });
      upstream.once('connect', () => {
        connected = true;
        this.track(upstream);
        this.routed.push(port);
        client.pipe(upstream);
        upstream.pipe(client);
        client.once('close', () => upstream.destroy());
        upstream.once('close', () => client.destroy());
        client.resume();
      });
    };
    attempt(0);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
