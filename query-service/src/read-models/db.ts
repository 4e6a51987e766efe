import type { ProjectionsSchema, TenantReadModels } from '@techflow/platform';
import type { Kysely } from 'kysely';

/**
 * What the query service reads: a tenant's tables (chosen with `withSchema(tenantSchema(id))`)
 * and the projectors' shared bookkeeping. Never the event store.
 */
export type ReadDb = Kysely<TenantReadModels & ProjectionsSchema>;

const UNDEFINED_TABLE = '42P01';
const INVALID_SCHEMA_NAME = '3F000';

const isMissingRelation = (e: unknown): boolean => {
  if (typeof e !== 'object' || e === null || !('code' in e)) return false;
  return e.code === UNDEFINED_TABLE || e.code === INVALID_SCHEMA_NAME;
};

/**
 * A tenant whose schema the projectors have not created yet has, as far as reads go, nothing:
 * its lists are empty and its ids absent. Any other error is a real one.
 */
export async function orIfMissing<T>(query: Promise<T>, fallback: T): Promise<T> {
  try {
    return await query;
  } catch (e) {
    if (isMissingRelation(e)) return fallback;
    throw e;
  }
}
