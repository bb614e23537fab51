import type { Command } from '../cli.js';
import { loadConfig } from '../config.js';
import { openCommandStore } from '../main.js';

export const migrateCommand: Command = {
  summary: 'apply store migrations and exit',
  usage: `Usage: catalyst migrate [--data-dir DIR | --database-url URL]

Applies pending migrations to the configured store (serve also does this on start) and prints the
store's epoch and last seq.`,
  options: {},
  async run(flags) {
    // Opening it applies the migrations.
    const store = await openCommandStore(loadConfig(flags));
    try {
      process.stderr.write(
        `migrated ${store.kind} store: epoch ${await store.epoch()}, last seq ${await store.lastSeq()}\n`,
      );
    } finally {
      await store.close();
    }
    return 0;
  },
};
