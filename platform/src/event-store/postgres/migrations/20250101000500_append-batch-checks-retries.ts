import { type Kysely, sql } from 'kysely';
import { APPEND_BATCH_FUNCTION } from '../append-batch-function.js';

/**
 * A re-append of stored event ids used to be taken as a retry whatever it carried: now only
 * the same content (its chain link recomputes to the stored one) at the expected revision the
 * first attempt was checked against. Anything else is a duplicate id or a conflict.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(APPEND_BATCH_FUNCTION).execute(db);
}

export async function down(): Promise<void> {
  // The earlier text is gone with this change; the function stays as it is.
}
