import { type Migration, sql } from 'kysely';
import type pg from 'pg';
import { createKysely } from '../db/kysely.js';
import { migrateSchema } from '../db/migrate-schema.js';
import * as initial from './migrations/20250101T000000-identity-initial.js';
import * as sealedResponses from './migrations/20261128T000000-sealed-responses.js';
import { IDENTITY_SCHEMA } from './tables.js';

/** Sorted by name: the timestamp prefix is the order. */
const MIGRATIONS: Record<string, Migration> = {
  '20250101T000000-identity-initial': initial,
  '20261128T000000-sealed-responses': sealedResponses,
};

const isDuplicate = (e: unknown): boolean => {
  const code = typeof e === 'object' && e !== null && 'code' in e ? e.code : undefined;
  return code === '42P06' || code === '23505';
};

/**
 * Brings the identity schema up to date; safe to call from every service at start (Kysely's
 * migrator locks, and a concurrent `create schema` loser is ignored).
 */
export async function migrateIdentity(pool: pg.Pool): Promise<void> {
  const db = createKysely<unknown>(pool);
  await sql`create schema if not exists ${sql.id(IDENTITY_SCHEMA)}`.execute(db).catch((e) => {
    if (!isDuplicate(e)) throw e;
  });
  await migrateSchema(db, IDENTITY_SCHEMA, MIGRATIONS);
}
