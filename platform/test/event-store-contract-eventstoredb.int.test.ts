import t from 'tap';
import { createPool } from '../src/db/pool.js';
import { eventStoreContract } from '../src/event-store/contract.js';
import { createEventStoreDBEventStore } from '../src/event-store/eventstoredb/eventstoredb-event-store.js';
import { migrateEventStore } from '../src/event-store/postgres/migrate.js';
import { createPostgresIdempotencyStore } from '../src/event-store/postgres/postgres-idempotency-store.js';
import { createTestDatabase } from '../src/testing/database.js';

const url = process.env['EVENTSTORE_URL'];

if (!url) {
  t.test(
    'EventStoreDB adapter contract',
    { skip: 'EVENTSTORE_URL is not set: no EventStoreDB server on this machine' },
    async () => undefined,
  );
} else {
  // Idempotency records live in Postgres beside EventStoreDB, as in production.
  const db = await createTestDatabase('tf_es_esdb');
  const pool = createPool(db.url, { max: 2 });
  t.teardown(async () => {
    await pool.end();
    await db.drop();
  });
  await migrateEventStore(pool);
  const idempotency = createPostgresIdempotencyStore(pool);
  eventStoreContract(t, {
    name: 'eventstoredb',
    create: async () => ({
      store: createEventStoreDBEventStore(url, { idempotency }),
      cleanup: async () => undefined,
    }),
    capabilities: {
      multiStream: false,
      gapFreePositions: false,
      globalEventIds: false,
      checksRetries: false,
    },
  });
}
