import t from 'tap';
import { createPool } from '../src/db/pool.js';
import { eventStoreContract } from '../src/event-store/contract.js';
import { migrateEventStore } from '../src/event-store/postgres/migrate.js';
import { createPostgresEventStore } from '../src/event-store/postgres/postgres-event-store.js';
import { createTestDatabase } from '../src/testing/database.js';

const db = await createTestDatabase('tf_es_contract');
const pool = createPool(db.url, { max: 4 });
t.teardown(async () => {
  await pool.end();
  await db.drop();
});
await migrateEventStore(pool);

// One database for the suite: the contract never assumes an empty store, and each subtest
// gets its own store instance (its own group commit, listener and subscriptions).
eventStoreContract(t, {
  name: 'postgres',
  create: async () => ({ store: createPostgresEventStore(pool), cleanup: async () => undefined }),
});

t.test('migrating again is a no-op', async (t) => {
  const applied = () =>
    pool
      .query<{ n: string }>('select count(*) as n from es.kysely_migration')
      .then((r) => r.rows[0]?.n);
  const before = await applied();
  t.ok(Number(before) >= 4, `every migration applied once (${before})`);
  await migrateEventStore(pool);
  t.equal(await applied(), before, 'none applied again');
});
