// Listen and upstream addresses are "host:port" strings, as Toxiproxy takes them. Errors carry the text
// Go's net package gives, because clients and people match on it.
import { lookup } from 'node:dns/promises';
import net from 'node:net';

export interface HostPort {
  host: string;
  port: number;
}

export class AddressError extends Error {}

/** Splits "host:port", "[v6]:port" or ":port"; the message is Go's net.SplitHostPort wording. */
export function splitHostPort(address: string): { host: string; port: string } {
  const missing = () => new AddressError(`address ${address}: missing port in address`);
  if (address.startsWith('[')) {
    const close = address.indexOf(']');
    if (close < 0) throw new AddressError(`address ${address}: missing ']' in address`);
    if (address[close + 1] !== ':') throw missing();
    return { host: address.slice(1, close), port: address.slice(close + 2) };
  }
  const colon = address.lastIndexOf(':');
  if (colon < 0) throw missing();
  const host = address.slice(0, colon);
  if (host.includes(':')) throw new AddressError(`address ${address}: too many colons in address`);
  return { host, port: address.slice(colon + 1) };
}

function parsePort(address: string, port: string): number {
  if (port === '') return 0;
  const n = /^\d+$/.test(port) ? Number(port) : Number.NaN;
  if (!(n >= 0 && n <= 65535)) throw new AddressError(`address ${address}: invalid port`);
  return n;
}

/**
 * Where a proxy or the API listens. Unlike Toxiproxy, an empty host means loopback, not every
 * interface, and `localhost` is always 127.0.0.1 so an IPv6-first resolver cannot split clients
 * from the listener.
 */
export async function resolveListen(address: string): Promise<HostPort> {
  if (address === '') return { host: '127.0.0.1', port: 0 };
  const { host, port } = splitHostPort(address);
  const p = parsePort(address, port);
  if (host === '' || host === 'localhost') return { host: '127.0.0.1', port: p };
  if (net.isIP(host)) return { host, port: p };
  try {
    const found = await lookup(host, { family: 4 }).catch(() => lookup(host));
    return { host: found.address, port: p };
  } catch {
    throw new AddressError(`lookup ${host}: no such host`);
  }
}

export function formatHostPort({ host, port }: HostPort): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The upstream as given ("somehost:12345"); resolved only when a client connects, like Toxiproxy. */
export function parseUpstream(address: string): HostPort {
  const { host, port } = splitHostPort(address);
  return { host: host === '' ? '127.0.0.1' : host, port: parsePort(address, port) };
}
