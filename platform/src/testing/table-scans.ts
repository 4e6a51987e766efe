import type pg from 'pg';

/**
 * How many sequential and index scans of `schema.table` Postgres has counted so far
 * (pg_stat_user_tables). A backend publishes its counters only when it goes idle, at most
 * once a second, so this first makes the backend behind `session` (a one-connection pool, the
 * one whose statements are being counted) publish them now.
 */
export async function tableScans(
  session: Pick<pg.Pool, 'query'>,
  schema: string,
  table: string,
): Promise<{ seq: number; idx: number }> {
  await session.query('select pg_stat_force_next_flush()');
  const { rows } = await session.query<{ seq: string; idx: string }>(
    `select seq_scan::text seq, idx_scan::text idx from pg_stat_user_tables
      where schemaname = $1 and relname = $2`,
    [schema, table],
  );
  return { seq: Number(rows[0]?.seq), idx: Number(rows[0]?.idx) };
}
