// One translation of a ReadQuery into SQL, shared by the SQLite and PostgreSQL adapters so that a
// filter means the same thing in both stores and in domain/filter.ts `matches`.
import type { ReadQuery } from './event-store.js';

export interface SqlWhere {
  sql: string;
  params: unknown[];
}

/** `placeholder(i)` renders the i-th (1-based) parameter: `?` for SQLite, `$i` for PostgreSQL. */
export function buildWhere(q: Omit<ReadQuery, 'limit'>, placeholder: (i: number) => string): SqlWhere {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return placeholder(params.length);
  };
  const inList = (column: string, values: string[]) =>
    clauses.push(values.length === 0 ? 'FALSE' : `${column} IN (${values.map(p).join(', ')})`);

  clauses.push(`seq > ${p(q.afterSeq)}`);
  if (q.uptoSeq !== undefined) clauses.push(`seq <= ${p(q.uptoSeq)}`);
  const f = q.filter ?? {};
  if (f.min_confidence !== undefined) clauses.push(`confidence >= ${p(f.min_confidence)}`);
  if (f.min_score !== undefined) clauses.push(`score IS NOT NULL AND score >= ${p(f.min_score)}`);
  if (f.tickers) inList('ticker', f.tickers);
  if (f.catalysts) inList('catalyst', f.catalysts);
  if (f.sources) inList('source', f.sources);
  if (f.sentiment === 'positive') clauses.push('sentiment > 0');
  if (f.sentiment === 'negative') clauses.push('sentiment < 0');
  return { sql: clauses.join(' AND '), params };
}
