// The shape every dependency call goes through (implemented by Dependency in this folder). Code that
// calls the store or the bus depends on this small interface, not on the breaker machinery.
export interface Guard {
  readonly name: string;
  call<T>(fn: (signal: AbortSignal) => Promise<T>, opts?: { idempotent?: boolean }): Promise<T>;
}
