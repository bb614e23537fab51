import type { Command } from '../cli.js';
import { loadConfig } from '../config.js';
import { openStore } from '../store/open-store.js';

export const migrateCommand: Command = {
  summary: 'apply store migrations and exit',
  usage: `Usage: catalyst migrate [--data-dir DIR | --database-url URL]

Applies pending migrations to the configured store (serve also does this on start) and prints the
store's epoch and last seq.`,
  options: {},
  async run(flags) {
    const store = await openStore(loadConfig(flags));
    try {
      await store.migrate();
      process.stderr.write(
        `migrated ${store.kind} store: epoch ${await store.epoch()}, last seq ${await store.lastSeq()}\n`,
      );
    } finally {
      await store.close();
    }
    return 0;
  },
};
