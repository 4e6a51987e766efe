import type { Kysely, Migration } from 'kysely';
import type pg from 'pg';
import { createKysely } from '../db/kysely.js';
import { migrateSchema } from '../db/migrate-schema.js';
import * as projections20251128 from './migrations/projections/20251128T120000-checkpoints-tenants-dead-letters.js';
import * as projections20261128 from './migrations/projections/20261128T090000-fail-unless.js';
import * as projections20261129 from './migrations/projections/20261129T120000-held-tenants.js';
import * as tenant20251128 from './migrations/tenant/20251128T120000-accounts-entries-members.js';
import * as tenant20261129 from './migrations/tenant/20261129T050000-entry-counterparts.js';

/**
 * Migrations are listed here rather than read from the folder at run time, so they work the
 * same under tsx, a bundle and the tests. Names sort by their timestamp prefix; add new ones
 * at the end.
 */
export const tenantMigrations: Readonly<Record<string, Migration>> = {
  '20251128T120000-accounts-entries-members': tenant20251128,
  '20261129T050000-entry-counterparts': tenant20261129,
};

export const projectionsMigrations: Readonly<Record<string, Migration>> = {
  '20251128T120000-checkpoints-tenants-dead-letters': projections20251128,
  '20261128T090000-fail-unless': projections20261128,
  '20261129T120000-held-tenants': projections20261129,
};

/** Brings one tenant schema to the latest read-model migrations (creating it if needed). */
export function migrateTenantSchema<DB>(db: Kysely<DB>, schema: string): Promise<void> {
  return migrateSchema(db.withSchema(schema), schema, tenantMigrations);
}

/** Creates or updates schema `projections`: checkpoints, tenants, dead letters, held tenants. */
export async function migrateProjections(pool: pg.Pool): Promise<void> {
  // Not destroyed: destroying a Kysely ends the pool, which belongs to the caller.
  await migrateSchema(createKysely<unknown>(pool), 'projections', projectionsMigrations);
}
