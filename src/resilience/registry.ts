// DependencyRegistry: one Dependency per name per process, created on first use with its policy
// (defaults + config overrides). Its snapshot is what `GET /admin/dependencies` and
// `GET /health/ready` show.
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { Dependency, type DependencyDeps, type DependencySnapshot } from './dependency.js';
import { type DependencyPolicyOverride, policyFor } from './policy.js';

export interface DependencyRegistryOptions {
  metrics: Metrics;
  logger: Logger;
  /** Overrides by dependency name (`store`, `feed:*`, `feed:www_sec_gov`), e.g. from parsePolicyEnv. */
  policies?: Record<string, DependencyPolicyOverride>;
}

export class DependencyRegistry {
  private readonly deps = new Map<string, Dependency>();

  constructor(private readonly opts: DependencyRegistryOptions) {}

  /** The policy a dependency of that name has (defaults + overrides); throws if it is invalid. */
  policy(name: string) {
    return policyFor(name, this.opts.policies);
  }

  /**
   * The dependency of that name; the first call creates it (and throws if its policy is invalid),
   * with `opts.limiter` when pacing must be shared beyond this process.
   */
  get(name: string, opts: Pick<DependencyDeps, 'limiter'> = {}): Dependency {
    let dep = this.deps.get(name);
    if (!dep) {
      const { metrics, logger } = this.opts;
      dep = new Dependency(name, this.policy(name), { metrics, logger, ...opts });
      this.deps.set(name, dep);
    }
    return dep;
  }

  /** Every dependency used so far, by name, in name order. */
  snapshot(): Record<string, DependencySnapshot> {
    const names = [...this.deps.keys()].sort();
    return Object.fromEntries(names.map((n) => [n, this.deps.get(n)!.snapshot()]));
  }

  shutdown(): void {
    for (const dep of this.deps.values()) dep.shutdown();
    this.deps.clear();
  }
}
