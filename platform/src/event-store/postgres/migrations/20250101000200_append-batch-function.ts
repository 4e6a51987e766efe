import { type Kysely, sql } from 'kysely';
import { APPEND_BATCH_FUNCTION } from '../append-batch-function.js';

/** Creates es.append_batch (its text and contract: append-batch-function.ts). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(APPEND_BATCH_FUNCTION).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function es.append_batch(jsonb)`.execute(db);
}
