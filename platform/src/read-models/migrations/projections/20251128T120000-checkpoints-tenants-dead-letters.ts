import { type Kysely, sql } from 'kysely';

// Shared bookkeeping of the projectors, in schema `projections` (see ../../tables.ts).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createSchema('projections').ifNotExists().execute();
  await db.schema
    .createTable('projections.checkpoints')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('version', 'int4', (c) => c.notNull().defaultTo(1))
    .addColumn('position', 'int8', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('running', 'rebuilding', 'stopped', 'failed')`),
    )
    .addColumn('last_error', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('projections.tenants')
    .addColumn('tenant_id', 'uuid', (c) => c.primaryKey())
    .addColumn('schema_name', 'text', (c) => c.notNull().unique())
    // The last tenant migration the schema has: lets a starting projector skip the migrator
    // for every tenant already up to date with one query.
    .addColumn('migration', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('projections.dead_letters')
    .addColumn('projection', 'text', (c) => c.notNull())
    .addColumn('event_id', 'uuid', (c) => c.notNull())
    .addColumn('position', 'int8', (c) => c.notNull())
    .addColumn('stream_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('event', 'jsonb', (c) => c.notNull())
    .addColumn('error', 'text', (c) => c.notNull())
    .addColumn('attempts', 'int4', (c) => c.notNull().defaultTo(1))
    .addColumn('failed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('dead_letters_pk', ['projection', 'event_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('projections.dead_letters').ifExists().execute();
  await db.schema.dropTable('projections.tenants').ifExists().execute();
  await db.schema.dropTable('projections.checkpoints').ifExists().execute();
}
