import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';

/**
 * A Kysely instance over an existing pool. Its destroy() ends that pool (PostgresDialect does),
 * so whoever owns the pool closes it, and nobody calls destroy() on a shared one.
 */
export function createKysely<DB>(pool: pg.Pool): Kysely<DB> {
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}
