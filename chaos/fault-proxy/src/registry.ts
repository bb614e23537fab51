// All proxies by name, with the operations whose semantics span proxies: create, update, populate and
// reset, each as Toxiproxy 2.12.0 does it (see README for where this one differs).
import { AddressError, formatHostPort, resolveListen } from './address.js';
import { ApiError, errors } from './errors.js';
import type { Logger } from './log.js';
import { Proxy } from './proxy.js';

export interface ProxyInput {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
}

export class ProxyRegistry {
  private readonly proxies = new Map<string, Proxy>();

  constructor(private readonly deps: { seed: number; log: Logger }) {}

  /** Sorted by name, as Go's JSON encoder orders map keys. */
  all(): Proxy[] {
    return [...this.proxies.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get(name: string): Proxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw errors.proxyNotFound();
    return proxy;
  }

  /** Checks the name before binding; a proxy that fails to bind is not kept. */
  async create(input: ProxyInput): Promise<Proxy> {
    if (this.proxies.has(input.name)) throw errors.proxyExists();
    const proxy = new Proxy(input.name, input.listen, input.upstream, this.deps);
    if (input.enabled) await proxy.start();
    this.proxies.set(proxy.name, proxy);
    return proxy;
  }

  async remove(name: string): Promise<void> {
    const proxy = this.get(name);
    this.proxies.delete(name);
    await proxy.stop();
  }

  /**
   * A changed listen or upstream restarts the proxy (dropping its connections); then the wanted enabled
   * state is applied. A failed restart leaves it disabled with the new values, as in Toxiproxy.
   */
  async update(proxy: Proxy, input: ProxyInput): Promise<void> {
    if (await this.differs(proxy, input, (message) => errors.internal(message))) {
      await proxy.stop();
      proxy.listen = input.listen;
      proxy.upstream = input.upstream;
    }
    if (input.enabled && !proxy.enabled) await proxy.start();
    else if (!input.enabled && proxy.enabled) await proxy.stop();
  }

  /**
   * Add or replace each entry in order. An entry equal in listen and upstream to an existing proxy leaves
   * that proxy untouched (toxics and enabled state kept); a different one replaces it. The first failure
   * stops the run and carries the proxies done so far.
   */
  async populate(inputs: ProxyInput[]): Promise<{ done: Proxy[]; error?: ApiError }> {
    const done: Proxy[] = [];
    try {
      for (const input of inputs) {
        const existing = this.proxies.get(input.name);
        if (existing && !(await this.differs(existing, input, (m) => errors.internal(`listen tcp: ${m}`)))) {
          done.push(existing);
          continue;
        }
        if (existing) await this.remove(existing.name);
        done.push(await this.create(input));
      }
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      return { done, error: err };
    }
    return { done };
  }

  /** Enables every proxy and removes every toxic; stops at the first proxy that cannot be re-enabled. */
  async reset(): Promise<void> {
    for (const proxy of this.all()) {
      await proxy.start();
      proxy.removeAllToxics();
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.proxies.values()].map((p) => p.stop()));
    this.proxies.clear();
  }

  private async differs(
    proxy: Proxy,
    input: ProxyInput,
    fail: (message: string) => ApiError,
  ): Promise<boolean> {
    let wanted;
    try {
      wanted = formatHostPort(await resolveListen(input.listen));
    } catch (err) {
      throw err instanceof AddressError ? fail(err.message) : err;
    }
    return proxy.listen !== wanted || proxy.upstream !== input.upstream;
  }
}
