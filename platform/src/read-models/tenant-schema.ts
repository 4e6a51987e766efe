import { type Kysely, sql } from 'kysely';
import { migrateTenantSchema, tenantMigrations } from './migrate.js';
import { tenantSchema } from './tables.js';

// Which tenants' schemas this process knows to be up to date, per database handle.
const ready = new WeakMap<object, Set<string>>();
// Migrations in flight, so concurrent callers for one tenant share one.
const inFlight = new WeakMap<object, Map<string, Promise<void>>>();

/** The newest tenant migration: a schema registered with it needs nothing. */
export const LATEST_TENANT_MIGRATION = Object.keys(tenantMigrations).sort().at(-1) ?? '';

const known = (db: object): Set<string> => {
  let set = ready.get(db);
  if (!set) {
    set = new Set();
    ready.set(db, set);
  }
  return set;
};

async function migrateOne<DB>(db: Kysely<DB>, tenantId: string): Promise<void> {
  let running = inFlight.get(db);
  if (!running) {
    running = new Map();
    inFlight.set(db, running);
  }
  const pending = running.get(tenantId);
  if (pending) return pending;
  const schema = tenantSchema(tenantId);
  const work = (async () => {
    await migrateTenantSchema(db, schema);
    await sql`
      insert into projections.tenants (tenant_id, schema_name, migration)
      values (${tenantId}, ${schema}, ${LATEST_TENANT_MIGRATION})
      on conflict (tenant_id) do update set migration = excluded.migration
    `.execute(db);
    known(db).add(tenantId);
  })();
  running.set(tenantId, work);
  try {
    await work;
  } finally {
    running.delete(tenantId);
  }
}

/**
 * Makes sure each tenant's read-model schema exists and has every migration, and that it is
 * registered in projections.tenants. Tenants this process has seen cost nothing; the others
 * are looked up together in one query, and only those not yet at the latest migration go
 * through the migrator (which takes an advisory lock, so several processes may race here).
 *
 * Runs on `db`'s own connections: call it before the batch's transaction, not inside it.
 */
export async function ensureTenantSchemas<DB>(
  db: Kysely<DB>,
  tenantIds: Iterable<string>,
): Promise<void> {
  const seen = known(db);
  const unknown = [...new Set(tenantIds)].filter((id) => !seen.has(id));
  if (unknown.length === 0) return;
  const current = await sql<{ tenant_id: string }>`
    select tenant_id from projections.tenants
    where tenant_id = any(${unknown}::uuid[]) and migration = ${LATEST_TENANT_MIGRATION}
  `.execute(db);
  for (const row of current.rows) seen.add(row.tenant_id);
  for (const id of unknown) if (!seen.has(id)) await migrateOne(db, id);
}

/** ensureTenantSchemas for one tenant; returns its schema name. */
export async function ensureTenantSchema<DB>(db: Kysely<DB>, tenantId: string): Promise<string> {
  await ensureTenantSchemas(db, [tenantId]);
  return tenantSchema(tenantId);
}

/** Forgets what this process knows about `db`'s tenant schemas (tests that drop them). */
export function forgetTenantSchemas<DB>(db: Kysely<DB>): void {
  ready.delete(db);
}
