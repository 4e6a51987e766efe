import type pg from 'pg';
import type { Config } from '../config.js';
import { createEventStoreDBEventStore } from './eventstoredb/eventstoredb-event-store.js';
import type { EventStore } from './port.js';
import { migrateEventStore } from './postgres/migrate.js';
import {
  createPostgresEventStore,
  type PostgresEventStoreOptions,
} from './postgres/postgres-event-store.js';
import { createPostgresIdempotencyStore } from './postgres/postgres-idempotency-store.js';

/**
 * The store config.EVENT_STORE names, with schema `es` migrated first (both adapters keep
 * idempotency records there). The pool stays the caller's: close() does not end it.
 */
export async function createEventStore(
  config: Pick<Config, 'EVENT_STORE' | 'EVENTSTORE_URL'>,
  pool: pg.Pool,
  options: PostgresEventStoreOptions = {},
): Promise<EventStore> {
  await migrateEventStore(pool);
  if (config.EVENT_STORE === 'postgres') return createPostgresEventStore(pool, options);
  if (!config.EVENTSTORE_URL) {
    throw new Error('EVENT_STORE=eventstoredb needs EVENTSTORE_URL (esdb://host:2113?tls=false)');
  }
  return createEventStoreDBEventStore(config.EVENTSTORE_URL, {
    idempotency: createPostgresIdempotencyStore(pool),
  });
}
