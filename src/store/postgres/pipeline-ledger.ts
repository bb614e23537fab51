// The PipelineLedger on PostgreSQL: the same database as the event store. Leases expire by the
// database's clock, so nodes with skewed clocks still agree on who holds a feed.
import { itemRow, itemsFrom, recentStoriesSql, storiesFrom, upsertItemSql } from '../ledger-rows.js';
import {
  type Decision,
  FINAL_DECISIONS,
  type Stage,
  type FeedState,
  type ItemQuery,
  type PipelineLedger,
} from '../../pipeline/ledger.js';
import type { PgPool } from './pool.js';

/** Advisory lock key of story claims ('stor'); the migrations hold 'cata'. */
const STORY_CLAIM_LOCK = 0x7374_6f72;

export function postgresPipelineLedger(pool: PgPool): PipelineLedger {
  return {
    async decided(ids, abort) {
      if (ids.length === 0) return new Set();
      const rows = await pool.query<{ id: string }>(
        'SELECT id FROM pipeline_items WHERE decision = ANY($1::text[]) AND id = ANY($2::text[])',
        [FINAL_DECISIONS, ids],
        abort,
      );
      return new Set(rows.map((r) => r.id));
    },
    async record(item, abort) {
      await pool.query(
        upsertItemSql((n) => `$${n}`),
        itemRow(item),
        abort,
      );
    },
    async recentStories(since, abort) {
      return storiesFrom(
        await pool.query<{ body: string }>(
          recentStoriesSql((n) => `$${n}`),
          [since],
          abort,
        ),
      );
    },
    async claimStory(item, since, repeats, abort) {
      return pool.transaction(abort, async (c) => {
        // One claim at a time across the nodes: a row lock cannot serialise a story not yet written.
        await c.query('SELECT pg_advisory_xact_lock($1)', [STORY_CLAIM_LOCK]);
        const recent = await c.query<{ body: string }>(
          recentStoriesSql((n) => `$${n}`),
          [since],
        );
        const repeated = repeats(storiesFrom(recent.rows));
        if (!repeated)
          await c.query(
            upsertItemSql((n) => `$${n}`, true),
            itemRow(item),
          );
        return repeated;
      });
    },
    async items(q: ItemQuery, abort) {
      const where: string[] = [];
      const params: unknown[] = [];
      for (const k of ['decision', 'stage', 'feed'] as const) {
        if (q[k] === undefined) continue;
        params.push(q[k]);
        where.push(`${k} = $${params.length}`);
      }
      params.push(q.limit);
      const sql = `SELECT body FROM pipeline_items ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY decided_at DESC LIMIT $${params.length}`;
      return itemsFrom(await pool.query<{ body: string }>(sql, params, abort));
    },
    async funnel(abort) {
      return (
        await pool.query<{ stage: Stage; decision: Decision; items: number }>(
          'SELECT stage, decision, count(*)::int AS items FROM pipeline_items GROUP BY stage, decision ORDER BY stage, decision',
          [],
          abort,
        )
      ).map((r) => ({ stage: r.stage, decision: r.decision, items: Number(r.items) }));
    },
    async saveFeed(state, abort) {
      await pool.query(
        'INSERT INTO pipeline_feeds (name, body) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET body = excluded.body',
        [state.name, JSON.stringify(state)],
        abort,
      );
    },
    async feeds(abort) {
      return (
        await pool.query<{ body: string }>('SELECT body FROM pipeline_feeds ORDER BY name', [], abort)
      ).map((r) => JSON.parse(r.body) as FeedState);
    },
    async lease(feed, holder, ttlMs, abort) {
      const rows = await pool.query(
        `INSERT INTO pipeline_leases (feed, holder, expires_at)
           VALUES ($1, $2, clock_timestamp() + make_interval(secs => $3::double precision / 1000))
         ON CONFLICT (feed) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
           WHERE pipeline_leases.holder = excluded.holder OR pipeline_leases.expires_at < clock_timestamp()
         RETURNING feed`,
        [feed, holder, ttlMs],
        abort,
      );
      return rows.length > 0;
    },
    async releaseLease(feed, holder, abort) {
      await pool.query('DELETE FROM pipeline_leases WHERE feed = $1 AND holder = $2', [feed, holder], abort);
    },
  };
}
