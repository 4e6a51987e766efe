import type { IdempotencyStore } from '../idempotency-store.js';
import { findIdempotencyRecord } from './find-idempotency-record.js';
import type { PgQueryable } from './pg-slice.js';
import { rememberIdempotencyRecord } from './remember-idempotency-record.js';

/** es.idempotency_keys on its own, for stores that keep events elsewhere; needs migrateEventStore. */
export function createPostgresIdempotencyStore(pool: PgQueryable): IdempotencyStore {
  return {
    find: (scope, key) => findIdempotencyRecord(pool, scope, key),
    remember: (record, position) => rememberIdempotencyRecord(pool, record, position),
  };
}
