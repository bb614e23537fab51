// The one logger factory: pino, JSON lines, ISO timestamps and level names, secrets redacted.
// Every line of an HTTP request carries `request_id` (Fastify's child logger, see request-id.ts);
// every line of a WebSocket session carries `session_id` (sessionLogger below).
import { createRequire } from 'node:module';
import pino from 'pino';

export type Logger = pino.Logger;

export interface LoggerOptions {
  level: string;
  /**
   * Human-readable output for a developer's terminal. Needs the optional `pino-pretty` package; when
   * it is not installed the logger stays JSON and says so once, rather than failing to start.
   */
  pretty?: boolean;
  /** Where lines go (default stdout). Tests pass a stream to read the lines back. */
  destination?: pino.DestinationStream;
  /** Fields on every line, e.g. `{ node: 'gw-1', role: 'gateway' }`. */
  base?: Record<string, unknown>;
}

// Tokens are bearer secrets: no log line may carry one, whatever object a caller logs.
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'password',
  '*.password',
];

export function createLogger(opts: LoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level,
    base: { service: 'catalyst', ...opts.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT, censor: '[redacted]' },
  };
  if (opts.pretty && !opts.destination) {
    if (prettyAvailable()) return pino({ ...options, transport: { target: 'pino-pretty' } });
    const logger = pino(options);
    logger.warn('pretty logs requested but pino-pretty is not installed; logging JSON');
    return logger;
  }
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/** The logger for one WebSocket session: every line carries its session id. */
export function sessionLogger(
  logger: Logger,
  sessionId: string,
  fields: Record<string, unknown> = {},
): Logger {
  return logger.child({ session_id: sessionId, ...fields });
}

/**
 * An error on an open WebSocket. A refused frame (too large, bad UTF-8, bad opcode) is the client's
 * doing and `ws` has already closed with its code: worth a line at info, not an error for the operator.
 */
export function logWebSocketError(logger: Pick<Logger, 'info' | 'warn'>, err: Error): void {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('WS_ERR_'))
    logger.info({ err: { code, message: err.message } }, 'websocket frame refused');
  else logger.warn({ err }, 'websocket error');
}

/** The logger for work done on behalf of one request outside Fastify's own `request.log`. */
export function requestLogger(logger: Logger, requestId: string): Logger {
  return logger.child({ request_id: requestId });
}
