// The package entry point: the client for subscribers, and the server for embedding.
export * from './client/index.js';
export { type Config, ConfigError, loadConfig } from './config.js';
export type { Signal, SignalInput } from './domain/signal.js';
export type { SignalFilter } from './domain/filter.js';
export { type CatalystNode, startCatalyst } from './main.js';
