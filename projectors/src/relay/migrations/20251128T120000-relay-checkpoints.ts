import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createSchema('relay').ifNotExists().execute();
  await db.schema
    .createTable('relay.checkpoints')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('position', 'int8', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('relay.checkpoints').ifExists().execute();
}
