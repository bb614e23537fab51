// A client accepted by a proxy and its socket to the upstream: two links, one per direction, that live
// and die together. Either socket failing closes both; a reset from one peer reaches the other as a reset.
import type { Socket } from 'node:net';
import type { Rng } from '../rng.js';
import type { Direction, Toxic } from '../toxic.js';
import type { CloseMode } from '../toxics/runner.js';
import { Link, type LinkHooks } from './link.js';

export interface ConnectionView {
  id: number;
  client: string;
  upstream: string;
  since: string;
  upstream_bytes: { received: number; sent: number };
  downstream_bytes: { received: number; sent: number };
  toxics: { upstream: string[]; downstream: string[] };
}

export class Connection {
  readonly startedAt = new Date();
  private readonly clientAddress: string;
  private readonly upstreamAddress: string;
  private readonly up: Link;
  private readonly down: Link;
  private closed = false;
  private openSockets = 2;

  constructor(
    readonly id: number,
    private readonly client: Socket,
    private readonly upstream: Socket,
    toxics: readonly Toxic[],
    rngFor: (direction: Direction) => Rng,
    counted: LinkHooks['counted'],
    onGone: (connection: Connection) => void,
  ) {
    this.clientAddress = `${client.remoteAddress}:${client.remotePort}`;
    this.upstreamAddress = `${upstream.remoteAddress}:${upstream.remotePort}`;
    const hooks: LinkHooks = { close: (mode) => this.close(mode), counted };
    const of = (d: Direction) => toxics.filter((t) => t.direction === d);
    this.up = new Link('upstream', client, upstream, rngFor('upstream'), hooks, of('upstream'));
    this.down = new Link('downstream', upstream, client, rngFor('downstream'), hooks, of('downstream'));
    for (const socket of [client, upstream]) {
      socket.on('error', (err: NodeJS.ErrnoException) =>
        this.close(err.code === 'ECONNRESET' ? 'rst' : 'fin'),
      );
      socket.once('close', () => {
        this.openSockets -= 1;
        if (this.openSockets > 0) return;
        this.closed = true;
        this.up.dispose();
        this.down.dispose();
        onGone(this);
      });
    }
    this.up.start();
    this.down.start();
  }

  link(direction: Direction): Link {
    return direction === 'upstream' ? this.up : this.down;
  }

  close(mode: CloseMode): void {
    if (this.closed) return;
    this.closed = true;
    this.up.dispose();
    this.down.dispose();
    for (const socket of [this.client, this.upstream]) {
      if (mode === 'rst' && !socket.destroyed) socket.resetAndDestroy();
      else socket.destroy();
    }
  }

  view(): ConnectionView {
    return {
      id: this.id,
      client: this.clientAddress,
      upstream: this.upstreamAddress,
      since: this.startedAt.toISOString(),
      upstream_bytes: { ...this.up.bytes },
      downstream_bytes: { ...this.down.bytes },
      toxics: { upstream: this.up.activeToxics(), downstream: this.down.activeToxics() },
    };
  }
}
