import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';

/** A Kysely instance over an existing pool; destroying it does not end the pool's owner's pool. */
export function createKysely<DB>(pool: pg.Pool): Kysely<DB> {
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}
