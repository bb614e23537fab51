// One named proxy: its configuration, its listener while enabled, its toxics and its live connections.
// Toxic changes reach every live connection at once; disabling closes the listener and every connection.
import net from 'node:net';
import { AddressError, formatHostPort, parseUpstream, resolveListen } from './address.js';
import { Connection, type ConnectionView } from './data/connection.js';
import { errors } from './errors.js';
import type { Logger } from './log.js';
import { createRng, deriveSeed } from './rng.js';
import type { Direction, Toxic } from './toxic.js';

export interface ProxyDeps {
  seed: number;
  log: Logger;
}

export interface ByteTotals {
  received: number;
  sent: number;
}

const BIND_ERRORS: Record<string, string> = {
  EADDRINUSE: 'bind: address already in use',
  EACCES: 'bind: permission denied',
  EADDRNOTAVAIL: 'bind: cannot assign requested address',
};

export class Proxy {
  enabled = false;
  readonly totals: Record<Direction, ByteTotals> = {
    upstream: { received: 0, sent: 0 },
    downstream: { received: 0, sent: 0 },
  };
  accepted = 0;
  private toxicList: Toxic[] = [];
  private server: net.Server | undefined;
  private readonly connections = new Set<Connection>();
  /** Accepted clients whose upstream dial has not finished: disabling must close them too. */
  private readonly dialing = new Set<net.Socket>();

  constructor(
    readonly name: string,
    public listen: string,
    public upstream: string,
    private readonly deps: ProxyDeps,
  ) {}

  /** Upstream toxics first, then downstream, each in insertion order, as Toxiproxy lists them. */
  get toxics(): Toxic[] {
    return [
      ...this.toxicList.filter((t) => t.direction === 'upstream'),
      ...this.toxicList.filter((t) => t.direction === 'downstream'),
    ];
  }

  findToxic(name: string): Toxic | undefined {
    return this.toxicList.find((t) => t.name === name);
  }

  addToxic(toxic: Toxic): void {
    this.toxicList.push(toxic);
    for (const c of this.connections) c.link(toxic.direction).addToxic(toxic);
  }

  toxicChanged(toxic: Toxic): void {
    for (const c of this.connections) c.link(toxic.direction).updateToxic(toxic);
  }

  removeToxic(toxic: Toxic): void {
    this.toxicList = this.toxicList.filter((t) => t !== toxic);
    for (const c of [...this.connections]) c.link(toxic.direction).removeToxic(toxic);
  }

  removeAllToxics(): void {
    for (const toxic of this.toxics) this.removeToxic(toxic);
  }

  async start(): Promise<void> {
    if (this.enabled) return;
    let where;
    try {
      where = await resolveListen(this.listen);
    } catch (err) {
      throw err instanceof AddressError ? errors.internal(`listen tcp: ${err.message}`) : err;
    }
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) =>
      this.accept(socket),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: where.host, port: where.port, backlog: 4096 }, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((err: NodeJS.ErrnoException) => {
      const why = BIND_ERRORS[err.code ?? ''] ?? err.message;
      throw errors.internal(`listen tcp ${formatHostPort(where)}: ${why}`);
    });
    server.on('error', (err) =>
      this.deps.log.log('error', 'proxy listener failed', { name: this.name, err: err.message }),
    );
    const bound = server.address() as net.AddressInfo;
    this.listen = formatHostPort({ host: bound.address, port: bound.port });
    this.server = server;
    this.enabled = true;
    this.deps.log.log('info', 'Started proxy', {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
    });
  }

  /** Refuses new connections (the port is released) and closes every existing one. */
  async stop(): Promise<void> {
    if (!this.enabled) return;
    this.enabled = false;
    const server = this.server;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
    for (const socket of this.dialing) socket.destroy();
    for (const c of this.connections) c.close('fin');
    await closed;
    this.deps.log.log('info', 'Terminated proxy', {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
    });
  }

  connectionViews(): ConnectionView[] {
    return [...this.connections].map((c) => c.view());
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  toJSON() {
    return {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
      enabled: this.enabled,
      // Toxiproxy leaks this Go struct field into every proxy object; kept for byte-level parity.
      Logger: {},
      toxics: this.toxics.map((t) => t.toJSON()),
    };
  }

  /**
   * Dials the upstream without blocking other accepts (Toxiproxy dials inside its accept loop). If the
   * dial fails the client is closed with a FIN, as with Toxiproxy.
   */
  private accept(client: net.Socket): void {
    const id = ++this.accepted;
    client.setNoDelay(true);
    client.on('error', () => client.destroy());
    this.dialing.add(client);
    let target;
    try {
      target = parseUpstream(this.upstream);
    } catch {
      this.dialing.delete(client);
      client.destroy();
      return;
    }
    const upstream = net.connect({
      host: target.host,
      port: target.port,
      allowHalfOpen: true,
      noDelay: true,
    });
    const failed = (err: Error) => {
      this.dialing.delete(client);
      this.deps.log.log('error', 'Unable to open connection to upstream', {
        name: this.name,
        upstream: this.upstream,
        err: err.message,
      });
      client.destroy();
    };
    upstream.on('error', failed);
    client.once('close', () => {
      if (this.dialing.delete(client)) upstream.destroy();
    });
    upstream.once('connect', () => {
      upstream.off('error', failed);
      if (!this.dialing.delete(client)) {
        upstream.destroy();
        return;
      }
      client.removeAllListeners('error');
      const seed = this.deps.seed;
      const connection = new Connection(
        id,
        client,
        upstream,
        this.toxicList,
        (direction) => createRng(deriveSeed(seed, this.name, id, direction)),
        (direction, kind, bytes) => {
          this.totals[direction][kind] += bytes;
        },
        (gone) => this.connections.delete(gone),
      );
      this.connections.add(connection);
      this.deps.log.log('debug', 'Accepted client', {
        name: this.name,
        client: client.remoteAddress,
        upstream: this.upstream,
        id,
      });
    });
  }
}
