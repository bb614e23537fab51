// Preload for `node --import ./dist/src/observability/instrument.js bin/catalyst.js serve`: starts Sentry from
// SENTRY_DSN / SENTRY_ENVIRONMENT / SENTRY_RELEASE before any application module (fastify above
// all) is loaded. Without SENTRY_DSN it does nothing.
import { initSentry } from './sentry.js';

await initSentry({
  dsn: process.env.SENTRY_DSN,
  environment: process.env.SENTRY_ENVIRONMENT,
  release: process.env.SENTRY_RELEASE,
});
