import type { Migration } from 'kysely';
import type pg from 'pg';
import { createKysely } from '../../db/kysely.js';
import { migrateSchema } from '../../db/migrate-schema.js';
import * as tables from './migrations/20250101000000_event-store-tables.js';
import * as chainLink from './migrations/20250101000100_chain-link-function.js';
import * as appendBatch from './migrations/20250101000200_append-batch-function.js';
import * as appendRows from './migrations/20250101000300_append-rows-function.js';
import * as appendRowsJitOff from './migrations/20250101000400_append-rows-jit-off.js';
import * as appendBatchChecksRetries from './migrations/20250101000500_append-batch-checks-retries.js';
import * as eventsAppendOnly from './migrations/20250101000600_events-append-only.js';

/** Listed here rather than read from disk, so the migrations travel with the bundle. */
const migrations: Record<string, Migration> = {
  '20250101000000_event-store-tables': tables,
  '20250101000100_chain-link-function': chainLink,
  '20250101000200_append-batch-function': appendBatch,
  '20250101000300_append-rows-function': appendRows,
  '20250101000400_append-rows-jit-off': appendRowsJitOff,
  '20250101000500_append-batch-checks-retries': appendBatchChecksRetries,
  '20250101000600_events-append-only': eventsAppendOnly,
};

/**
 * Brings schema `es` up to date; safe to run from several processes at once (Kysely's
 * migration lock). The history lives in es.kysely_migration.
 */
export async function migrateEventStore(pool: pg.Pool): Promise<void> {
  // Not destroyed afterwards: that would end the caller's pool.
  const db = createKysely<unknown>(pool);
  await db.schema.createSchema('es').ifNotExists().execute();
  await migrateSchema(db, 'es', migrations);
}
