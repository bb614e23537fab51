// Creates the embedded store's directory, one level at a time: Node's recursive mkdir loops forever
// on some pseudo file systems (`--data-dir /proc/x` hung the start). Every failure names the path
// and the setting to change.
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../../config/error.js';

const FIX = 'pick a writable directory with --data-dir (CATALYST_DATA_DIR)';

export function ensureDataDir(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  while (!existsSync(at)) {
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  if (existsSync(at) && !statSync(at).isDirectory())
    throw new ConfigError(`data directory ${dir}: ${at} is a file, not a directory; ${FIX}`);
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (err) {
      throw new ConfigError(
        `cannot create the data directory ${d} (${(err as NodeJS.ErrnoException).code}); ${FIX}`,
      );
    }
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new ConfigError(
      `the data directory ${dir} is not writable (${(err as NodeJS.ErrnoException).code}); ${FIX}`,
    );
  }
}
