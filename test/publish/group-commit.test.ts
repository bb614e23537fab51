import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SignalInput } from '../../src/domain/signal.js';
import { GroupCommit } from '../../src/publish/group-commit.js';
import type { EventStore } from '../../src/store/event-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeSignal } from '../support/signals.js';

describe('GroupCommit', () => {
  let dir: string;
  let store: SqliteStore;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'catalyst-group-'));
    store = new SqliteStore(join(dir, 'db.sqlite'));
    await store.migrate();
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The store with each append counted and held until released, like a slow commit. */
  const slowStore = () => {
    const calls: number[] = [];
    let release: () => void = () => {};
    const slow: EventStore = Object.create(store);
    slow.append = async (inputs) => {
      await new Promise<void>((r) => {
        release = r;
      });
      const result = await store.append(inputs);
      calls.push(1);
      return result;
    };
    return { store: slow, calls, release: () => release() };
  };

  it('publishes arriving during an append go together in the next one, each getting its own results', async () => {
    const g = slowStore();
    const commits = new GroupCommit(g.store);
    const first = commits.append([makeSignal()]);
    await new Promise((r) => setImmediate(r)); // the first append has begun and is held
    const waiting: Promise<unknown>[] = [];
    const inputs: SignalInput[][] = [];
    for (let i = 0; i < 5; i++) {
      const batch = Array.from({ length: i + 1 }, () => makeSignal());
      inputs.push(batch);
      waiting.push(commits.append(batch));
    }
    const dup = makeSignal();
    waiting.push(commits.append([dup]), commits.append([dup]));
    g.release(); // the first append commits alone
    await first;
    await new Promise((r) => setImmediate(r));
    g.release(); // then everything that queued meanwhile, in one append
    const results = (await Promise.all(waiting)) as {
      status: string;
      signal?: { id: string; seq: number };
    }[][];
    assert.equal(g.calls.length, 2, 'two appends for eight publishes');
    results.slice(0, 5).forEach((r, i) => {
      assert.deepEqual(
        r.map((x) => x.signal?.id),
        inputs[i]?.map((s) => s.id),
      );
    });
    assert.deepEqual(
      results.slice(5).map((r) => r[0]?.status),
      ['created', 'duplicate'],
      'the same id twice in one group is stored once',
    );
    const seqs = results.flat().map((r) => r.signal?.seq);
    assert.deepEqual(
      seqs.slice(0, 16),
      Array.from({ length: 16 }, (_, i) => i + 2),
      'gap-free, in arrival order',
    );
  });

  it('publishes of one turn of the event loop go together: a synchronous store blocks it while committing', async () => {
    // SQLite commits (and fsyncs) synchronously, so requests that arrive meanwhile are all parsed
    // in the next turn, one after the other: they must share one append, not take one fsync each.
    const counted: EventStore = Object.create(store);
    const sizes: number[] = [];
    counted.append = (inputs) => {
      sizes.push(inputs.length);
      return store.append(inputs);
    };
    const commits = new GroupCommit(counted);
    const inputs = [[makeSignal()], [makeSignal(), makeSignal()], [makeSignal()]];
    const results = await Promise.all(inputs.map((batch) => commits.append(batch)));
    assert.deepEqual(sizes, [4], 'one append for the three publishes of one turn');
    assert.deepEqual(
      results.map((r) => r.map((x) => (x.status === 'created' ? x.signal.id : x.status))),
      inputs.map((batch) => batch.map((s) => s.id)),
    );
    // A publish of a later turn is appended by itself, without waiting for anyone.
    const alone = makeSignal();
    const [r] = await commits.append([alone]);
    assert.equal(r?.status, 'created');
    assert.deepEqual(sizes, [4, 1]);
  });

  it('a failed append rejects every publish of its group and stores none of them', async () => {
    const before = await store.lastSeq();
    const failing: EventStore = Object.create(store);
    failing.append = async () => {
      throw new Error('store down');
    };
    const commits = new GroupCommit(failing);
    const outcomes = await Promise.allSettled([
      commits.append([makeSignal()]),
      commits.append([makeSignal()]),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['rejected', 'rejected'],
    );
    assert.equal(await store.lastSeq(), before);
  });
});
