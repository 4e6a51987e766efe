import { type Kysely, sql } from 'kysely';

/**
 * projections.held_tenants: tenants a projection holds back after one of their events could
 * not be applied. The projection goes on for every other tenant and skips the held tenant's
 * events until a replay brings it up to the checkpoint; `applied_through` is how far its read
 * model is complete, which is the position its reads may claim meanwhile. The tenant id is
 * kept as the events carry it (text), so an event with a malformed one is held too.
 *
 * checkpoints.held_generation counts holds and releases: every batch's compare-and-set
 * includes it, so a runner that skips a tenant another runner has since released (or skips
 * too little) writes nothing and reloads the set.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('projections.held_tenants')
    .addColumn('projection', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('applied_through', 'int8', (c) => c.notNull())
    .addColumn('event_id', 'uuid', (c) => c.notNull())
    .addColumn('position', 'int8', (c) => c.notNull())
    .addColumn('error', 'text', (c) => c.notNull())
    .addColumn('attempts', 'int4', (c) => c.notNull().defaultTo(1))
    .addColumn('held_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('held_tenants_pk', ['projection', 'tenant_id'])
    .execute();
  await db.schema
    .alterTable('projections.checkpoints')
    .addColumn('held_generation', 'int8', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('projections.checkpoints').dropColumn('held_generation').execute();
  await db.schema.dropTable('projections.held_tenants').ifExists().execute();
}
