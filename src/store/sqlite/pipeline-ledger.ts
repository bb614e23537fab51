// The PipelineLedger on SQLite: the same file as the event store. Lease expiry uses this machine's
// clock, which every process sharing the file shares.
import type Database from 'better-sqlite3';
import { FINALS, itemRow, itemsFrom, recentStoriesSql, storiesFrom, upsertItemSql } from '../ledger-rows.js';
import { type FeedState, type ItemQuery, type PipelineLedger } from '../../pipeline/ledger.js';

export function sqlitePipelineLedger(db: Database.Database): PipelineLedger {
  const recent = (since: string) =>
    storiesFrom(db.prepare(recentStoriesSql(() => '?')).all(since) as { body: string }[]);
  return {
    async decided(ids) {
      if (ids.length === 0) return new Set();
      const rows = db
        .prepare(
          `SELECT id FROM pipeline_items WHERE decision IN (${FINALS}) AND id IN (SELECT value FROM json_each(?))`,
        )
        .all(JSON.stringify(ids)) as { id: string }[];
      return new Set(rows.map((r) => r.id));
    },
    async record(item) {
      db.prepare(upsertItemSql(() => '?')).run(...itemRow(item));
    },
    async recentStories(since) {
      return recent(since);
    },
    async claimStory(item, since, repeats) {
      // IMMEDIATE takes the write lock first: another process on the same file waits for it.
      const claim = db.transaction(() => {
        const repeated = repeats(recent(since));
        if (!repeated) db.prepare(upsertItemSql(() => '?', true)).run(...itemRow(item));
        return repeated;
      });
      return claim.immediate();
    },
    async items(q: ItemQuery) {
      const where: string[] = [];
      const params: unknown[] = [];
      for (const k of ['decision', 'stage', 'feed'] as const) {
        if (q[k] === undefined) continue;
        where.push(`${k} = ?`);
        params.push(q[k]);
      }
      const sql = `SELECT body FROM pipeline_items ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY decided_at DESC LIMIT ?`;
      return itemsFrom(db.prepare(sql).all(...params, q.limit) as { body: string }[]);
    },
    async funnel() {
      return db
        .prepare(
          'SELECT stage, decision, count(*) AS items FROM pipeline_items GROUP BY stage, decision ORDER BY stage, decision',
        )
        .all() as Awaited<ReturnType<PipelineLedger['funnel']>>;
    },
    async saveFeed(state) {
      db.prepare(
        'INSERT INTO pipeline_feeds (name, body) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET body = excluded.body',
      ).run(state.name, JSON.stringify(state));
    },
    async feeds() {
      return (db.prepare('SELECT body FROM pipeline_feeds ORDER BY name').all() as { body: string }[]).map(
        (r) => JSON.parse(r.body) as FeedState,
      );
    },
    async lease(feed, holder, ttlMs) {
      const now = Date.now();
      const r = db
        .prepare(
          `INSERT INTO pipeline_leases (feed, holder, expires_at) VALUES (?, ?, ?)
           ON CONFLICT (feed) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
           WHERE pipeline_leases.holder = excluded.holder OR pipeline_leases.expires_at < ?`,
        )
        .run(feed, holder, now + ttlMs, now);
      return r.changes > 0;
    },
    async releaseLease(feed, holder) {
      db.prepare('DELETE FROM pipeline_leases WHERE feed = ? AND holder = ?').run(feed, holder);
    },
  };
}
