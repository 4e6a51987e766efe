import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createPool } from '@techflow/platform';
import {
  createTestDatabase,
  deadPort,
  type ServiceProcess,
  startServiceProcess,
} from '@techflow/platform/testing';
import t from 'tap';
import { createTokenMinter } from './helpers/token.js';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

// The admin view measured lag against es.log_head, the Postgres store's own table, whatever
// EVENT_STORE said: with the events in EventStoreDB it read an empty table and said lag 0.
t.test('EVENT_STORE=eventstoredb: its head is read, and its absence only degrades', async (t) => {
  const database = await createTestDatabase('tf_query_store');
  const pool = createPool(database.url, { max: 1 });
  let service: ServiceProcess | undefined;
  t.teardown(async () => {
    await service?.stop();
    await pool.end();
    await database.drop();
  });
  service = await startServiceProcess(main, {
    DATABASE_URL: database.url,
    EVENT_STORE: 'eventstoredb',
    EVENTSTORE_URL: `esdb://127.0.0.1:${await deadPort()}?tls=false`,
    QUERY_PORT: '0',
    LOG_LEVEL: 'error',
  });

  const ready = await fetch(`${service.origin}/ready`);
  t.equal(ready.status, 200, 'reads do not need the event store');
  t.has(await ready.json(), { degraded: ['event store (eventstoredb)'] });

  const bearer = await createTokenMinter(pool);
  const owner = bearer({ tenantId: randomUUID(), userId: randomUUID(), role: 'owner' });
  const lag = await fetch(`${service.origin}/v1/admin/projections`, { headers: owner });
  t.equal(lag.status, 503, 'lag unknown while the store is away, not 0');
  t.has(await lag.json(), { code: 'not_ready' });
});
