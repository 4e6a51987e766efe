import { type Kysely, type Migration, type MigrationResultSet, Migrator } from 'kysely';
import type pg from 'pg';
import { createKysely } from '../db/kysely.js';
import * as projections20251128 from './migrations/projections/20251128T120000-checkpoints-tenants-dead-letters.js';
import * as projections20261128 from './migrations/projections/20261128T090000-fail-unless.js';
import * as tenant20251128 from './migrations/tenant/20251128T120000-accounts-entries-members.js';

/**
 * Migrations are listed here rather than read from the folder at run time, so they work the
 * same under tsx, a bundle and the tests. Names sort by their timestamp prefix; add new ones
 * at the end.
 */
export const tenantMigrations: Readonly<Record<string, Migration>> = {
  '20251128T120000-accounts-entries-members': tenant20251128,
};

export const projectionsMigrations: Readonly<Record<string, Migration>> = {
  '20251128T120000-checkpoints-tenants-dead-letters': projections20251128,
  '20261128T090000-fail-unless': projections20261128,
};

export class MigrationFailed extends Error {
  override readonly name = 'MigrationFailed';
}

async function migrate<DB>(
  db: Kysely<DB>,
  schema: string,
  migrations: Readonly<Record<string, Migration>>,
): Promise<void> {
  const migrator = new Migrator({
    db,
    // Each schema keeps its own history, so a tenant created later runs every migration and
    // a tenant that was migrated before runs only the new ones.
    migrationTableSchema: schema,
    provider: { getMigrations: async () => ({ ...migrations }) },
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error !== undefined) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? '?';
    throw new MigrationFailed(`migrating schema ${schema} failed at ${failed}`, {
      cause: result.error,
    });
  }
}

/** Brings one tenant schema to the latest read-model migrations (creating it if needed). */
export function migrateTenantSchema<DB>(db: Kysely<DB>, schema: string): Promise<void> {
  return migrate(db.withSchema(schema), schema, tenantMigrations);
}

/** Creates or updates schema `projections`: checkpoints, tenants, dead letters. */
export async function migrateProjections(pool: pg.Pool): Promise<void> {
  // Not destroyed: destroying a Kysely ends the pool, which belongs to the caller.
  await migrate(createKysely<unknown>(pool), 'projections', projectionsMigrations);
}
