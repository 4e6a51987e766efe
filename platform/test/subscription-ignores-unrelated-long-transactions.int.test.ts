import { randomUUID } from 'node:crypto';
import pg from 'pg';
import t from 'tap';
import { createPool } from '../src/db/pool.js';
import type { NewEvent, RecordedEvent } from '../src/event-store/port.js';
import { migrateEventStore } from '../src/event-store/postgres/migrate.js';
import { createPostgresEventStore } from '../src/event-store/postgres/postgres-event-store.js';
import { createTestDatabase } from '../src/testing/database.js';

/** Generous: a wake-up normally delivers in milliseconds; Emmett's reader never would here. */
const DELIVERY_BOUND_MS = 5000;

const db = await createTestDatabase('tf_es_longtx');
const other = await createTestDatabase('tf_es_longtx_other');
const pool = createPool(db.url, { max: 3 });
const idle: pg.Client[] = [];
t.teardown(async () => {
  await Promise.all(idle.map((c) => c.end()));
  await pool.end();
  await Promise.all([db.drop(), other.drop()]);
});
await migrateEventStore(pool);

/** A session left idle in a transaction that holds a transaction id. */
async function idleInTransaction(url: string, work: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  idle.push(client);
  await client.query('begin');
  await client.query(work);
  const { rows } = await client.query<{ xid: string }>('select pg_current_xact_id()::text as xid');
  return rows[0]!.xid;
}

const event = (type: string): NewEvent => ({
  eventId: randomUUID(),
  type,
  version: 1,
  data: {},
  metadata: {
    tenantId: 'tenant-a',
    actor: 'user:test',
    correlationId: randomUUID(),
    causationId: null,
    occurredAt: new Date().toISOString(),
  },
});

t.test('open transactions elsewhere do not hold back delivery', async (t) => {
  await pool.query('create table unrelated (id int)');
  const sameDb = await idleInTransaction(db.url, 'insert into unrelated values (1)');
  const otherDb = await idleInTransaction(other.url, 'select 1');
  t.ok(sameDb && otherDb, 'both sessions hold a transaction id, idle in transaction');

  const store = createPostgresEventStore(pool);
  t.teardown(() => store.close());
  const seen: RecordedEvent[] = [];
  let wanted = 0;
  let arrived: () => void = () => undefined;
  const sub = store.subscribe({ from: 0n }, async (batch) => {
    seen.push(...batch.events);
    if (seen.length >= wanted) arrived();
  });

  for (const round of [1, 2, 3]) {
    wanted = round;
    const delivered = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    await store.appendToStream('acct-1', [event(`E${round}`)], { expectedRevision: 'any' });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), DELIVERY_BOUND_MS);
    });
    const result = await Promise.race([delivered.then(() => 'delivered' as const), late]);
    clearTimeout(timer);
    t.equal(result, 'delivered', `event ${round} delivered within ${DELIVERY_BOUND_MS} ms`);
  }
  const { rows } = await pool.query<{ n: string }>(
    `select count(*)::text as n from pg_stat_activity
      where state = 'idle in transaction' and datname = any($1)`,
    [[db.name, other.name]],
  );
  t.equal(rows[0]?.n, '2', 'both transactions were still open throughout');
  await sub.close();
  t.same(
    seen.map((e) => e.type),
    ['E1', 'E2', 'E3'],
    'each delivered once, in order',
  );
});
