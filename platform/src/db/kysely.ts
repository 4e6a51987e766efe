import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { preparingPool } from './prepared-pool.js';

export interface KyselyOptions {
  /**
   * Prepare each distinct statement once per connection (preparingPool). For hot paths whose
   * statements repeat: reads by key, a projection's batch writes.
   */
  readonly prepare?: boolean;
}

/**
 * A Kysely instance over an existing pool. Its destroy() ends that pool (PostgresDialect does),
 * so whoever owns the pool closes it, and nobody calls destroy() on a shared one.
 */
export function createKysely<DB>(pool: pg.Pool, options: KyselyOptions = {}): Kysely<DB> {
  return new Kysely<DB>({
    dialect: new PostgresDialect({ pool: options.prepare ? preparingPool(pool) : pool }),
  });
}
