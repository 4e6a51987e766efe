import type pg from 'pg';

/**
 * What the adapter uses of a pg pool: queries, and one client it holds for LISTEN. A pg.Pool
 * fits; so does anything else with these two methods.
 */
export type PgPool = Pick<pg.Pool, 'query' | 'connect'>;
export type PgQueryable = Pick<pg.Pool, 'query'>;
