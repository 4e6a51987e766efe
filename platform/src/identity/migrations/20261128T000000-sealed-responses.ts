import { type Kysely, sql } from 'kysely';

// Migrations import nothing of the app: they must replay the same way forever.
const SCHEMA = 'identity';

/**
 * Idempotency-Key answers of the identity routes (signup, login, refresh, logout). Their
 * answers hold tokens, so they are kept sealed: `lookup` is a hash of the scope and key, and
 * `sealed` is encrypted under a key derived from the key and the request body, neither of
 * which is stored (see platform/src/identity/sealed-responses.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .withSchema(SCHEMA)
    .createTable('sealed_responses')
    .addColumn('lookup', 'text', (c) => c.primaryKey())
    .addColumn('sealed', 'bytea')
    .addColumn('claimed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamptz')
    .execute();
  await db.schema
    .withSchema(SCHEMA)
    .createIndex('sealed_responses_claimed_at')
    .on('sealed_responses')
    .column('claimed_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.withSchema(SCHEMA).dropTable('sealed_responses').execute();
}
