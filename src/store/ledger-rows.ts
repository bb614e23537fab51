// The pipeline ledger's rows, shared by the SQLite and PostgreSQL adapters: one upsert of an item
// decision (the last decision about an item wins) and its column values, and reading bodies back.
import type { StoryFingerprint } from '../pipeline/dedup.js';
import { FINAL_DECISIONS, type ItemRecord } from '../pipeline/ledger.js';

/** The final decisions as an SQL list: `decision IN (${FINALS})`. */
export const FINALS = FINAL_DECISIONS.map((d) => `'${d}'`).join(', ');

/**
 * `param(n)` is the dialect's n-th placeholder (`?` or `$n`). A claim (`unlessFinal`) never replaces
 * a final decision: another node may have decided the same item meanwhile.
 */
export const upsertItemSql = (param: (n: number) => string, unlessFinal = false) =>
  `INSERT INTO pipeline_items (id, feed, stage, decision, published_at, decided_at, body)
   VALUES (${[1, 2, 3, 4, 5, 6, 7].map(param).join(', ')})
   ON CONFLICT (id) DO UPDATE SET feed = excluded.feed, stage = excluded.stage,
     decision = excluded.decision, published_at = excluded.published_at,
     decided_at = excluded.decided_at, body = excluded.body${
       unlessFinal ? ` WHERE pipeline_items.decision NOT IN (${FINALS})` : ''
     }`;

/** Stories that count against a new one: kept, or claimed and being published (`waiting`). */
export const recentStoriesSql = (param: (n: number) => string) =>
  `SELECT body FROM pipeline_items WHERE decision IN ('kept', 'waiting') AND published_at >= ${param(1)}
   ORDER BY published_at`;

export const itemRow = (item: ItemRecord): unknown[] => [
  item.id,
  item.feed,
  item.stage,
  item.decision,
  item.published_at,
  item.decided_at,
  JSON.stringify(item),
];

export const itemsFrom = (rows: { body: string }[]): ItemRecord[] =>
  rows.map((r) => JSON.parse(r.body) as ItemRecord);

export const storiesFrom = (rows: { body: string }[]): StoryFingerprint[] =>
  itemsFrom(rows).flatMap((i) => (i.story ? [i.story] : []));
