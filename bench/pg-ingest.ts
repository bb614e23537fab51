// How fast PostgresStore.append ingests: signals per second for batch sizes and concurrent writers
// (one store handle each, as separate nodes would be). Every append takes the sequence row lock, so
// concurrent writers show what serialising on it costs.
// Run: node --import tsx bench/pg-ingest.ts [signalsPerRun=20000]   (TEST_DATABASE_URL to point elsewhere)
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { createTestDatabase } from '../test/store/postgres-database.js';
import { makeSignal } from '../test/support/signals.js';

const signalsPerRun = Number(process.argv[2] ?? 20_000);

async function run(batch: number, writers: number, total: number): Promise<number> {
  const db = await createTestDatabase();
  const stores = Array.from({ length: writers }, () => new PostgresStore({ url: db.url, poolMax: 2 }));
  try {
    await stores[0]!.migrate();
    const perWriter = Math.ceil(total / writers / batch);
    const batches = stores.map(() =>
      Array.from({ length: perWriter }, () => Array.from({ length: batch }, () => makeSignal())),
    );
    const started = process.hrtime.bigint();
    await Promise.all(
      stores.map(async (s, w) => {
        for (const b of batches[w]!) await s.append(b);
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const stored = await stores[0]!.lastSeq();
    if (stored !== perWriter * batch * writers)
      throw new Error(`stored ${stored}, expected ${perWriter * batch * writers}`);
    return stored / seconds;
  } finally {
    await Promise.all(stores.map((s) => s.close()));
    await db.drop();
  }
}

console.log(`PostgresStore.append, ${signalsPerRun} signals per run (a tenth of that for batches of 1)`);
console.log('batch  writers  signals/s  appends/s');
for (const batch of [1, 100, 1000]) {
  for (const writers of [1, 4]) {
    // A batch of 1 costs one commit (one WAL flush) per signal: a smaller run says as much.
    const perSecond = await run(batch, writers, batch === 1 ? Math.ceil(signalsPerRun / 10) : signalsPerRun);
    console.log(
      `${String(batch).padStart(5)}  ${String(writers).padStart(7)}  ${Math.round(perSecond).toString().padStart(9)}  ${Math.round(
        perSecond / batch,
      )
        .toString()
        .padStart(9)}`,
    );
  }
}
