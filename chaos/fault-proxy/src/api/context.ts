// What every API handler receives and returns.
import type { ProxyRegistry } from '../registry.js';
import type { Reply } from './respond.js';

export interface ApiContext {
  registry: ProxyRegistry;
  metrics(): string;
}

export interface ApiRequest {
  params: Record<string, string>;
  body: string;
}

export type Handler = (ctx: ApiContext, req: ApiRequest) => Reply | Promise<Reply>;
