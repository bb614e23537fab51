import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { guarded } from '../support/guarded.js';
import { eventStoreConformance, type Store } from './conformance.js';

const sqliteFixture = (wrap: (s: Store) => Store) => async () => {
  const dir = mkdtempSync(join(tmpdir(), 'catalyst-sqlite-'));
  const file = join(dir, 'catalyst.db');
  const open = async () => {
    const s = wrap(new SqliteStore(file));
    await s.migrate();
    return s;
  };
  const store = await open();
  return {
    store,
    reopen: open,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

eventStoreConformance(
  'sqlite',
  sqliteFixture((s) => s),
);
eventStoreConformance('sqlite, guarded as main.ts wraps it', sqliteFixture(guarded));
