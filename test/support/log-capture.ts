// A real pino logger (createLogger) whose JSON lines a test can read back.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/observability/logger.js';

export interface CapturedLogs {
  logger: Logger;
  /** Every line written so far, parsed. */
  lines: () => Array<Record<string, any>>;
}

export function captureLogs(level = 'debug'): CapturedLogs {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      raw.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  // pino writes synchronously to a plain stream, so lines are readable right after the call.
  const logger = createLogger({ level, destination });
  return { logger, lines: () => raw.map((l) => JSON.parse(l)) };
}
