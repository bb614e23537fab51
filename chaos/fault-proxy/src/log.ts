// JSON lines on stdout in the shape zerolog writes for Toxiproxy, so log tooling built for one reads the other.
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'panic'] as const;
export type LogLevel = (typeof LEVELS)[number];

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  enabled(level: LogLevel): boolean;
}

/** `disabled`, `silent` and `off` turn logging off; an unknown name falls back to info. */
export function createLogger(
  levelName: string | undefined,
  write: (line: string) => void = writeStdout,
): Logger {
  const name = (levelName ?? 'info').toLowerCase();
  const silent = name === 'disabled' || name === 'silent' || name === 'off';
  const found = LEVELS.indexOf(name as LogLevel);
  const threshold = silent ? Number.POSITIVE_INFINITY : found >= 0 ? found : LEVELS.indexOf('info');
  const enabled = (level: LogLevel) => LEVELS.indexOf(level) >= threshold;
  return {
    enabled,
    log(level, message, fields) {
      if (!enabled(level)) return;
      write(`${JSON.stringify({ level, ...fields, time: new Date().toISOString(), message })}\n`);
    },
  };
}

function writeStdout(line: string): void {
  process.stdout.write(line);
}
