// Tampering done where it would be done, in the table, and what an auditor's check then says.
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { createPool } from '../src/db/pool.js';
import { newEvent } from '../src/event-store/contract/fixtures.js';
import { verifyChain } from '../src/event-store/hash-chain.js';
import { migrateEventStore } from '../src/event-store/postgres/migrate.js';
import { createPostgresEventStore } from '../src/event-store/postgres/postgres-event-store.js';
import { createTestDatabase } from '../src/testing/database.js';

const db = await createTestDatabase('tf_es_tamper');
const pool = createPool(db.url, { max: 2 });
const store = createPostgresEventStore(pool);
t.teardown(async () => {
  await store.close();
  await pool.end();
  await db.drop();
});
await migrateEventStore(pool);

const [a, b] = [randomUUID(), randomUUID()];
const streamA = `account-${a}:1`;
await store.appendToStream(
  streamA,
  [newEvent('Opened', { n: 1 }, a), newEvent('Deposited', { n: 2 }, a)],
  { expectedRevision: 'no_stream' },
);
await store.appendToStream(`account-${b}:1`, [newEvent('Opened', { n: 1 }, b)], {
  expectedRevision: 'no_stream',
});
const heads = new Map(
  (await store.readStream(streamA)).map((e) => [
    e.streamId,
    { revision: e.revision, hash: e.metadata.hash },
  ]),
);
const readFor = async (tenantId: string) =>
  (await store.readAll(0n, { filter: { tenantId } })).events;

t.test('the table refuses edits, deletions and truncation', async (t) => {
  for (const statement of [
    "update es.events set data = '{}' where stream_id = $1",
    'delete from es.events where stream_id = $1',
  ]) {
    await t.rejects(pool.query(statement, [streamA]), /append-only/, statement);
  }
  await t.rejects(pool.query('truncate es.events'), /append-only: TRUNCATE/);
  t.equal((await store.readStream(streamA)).length, 2, 'history is as it was');
  // What follows goes around the guard, as the table's owner can: the chain must catch it.
  await pool.query('alter table es.events disable trigger user');
});

t.test('an event moved into another tenant by its column is caught', async (t) => {
  t.same(verifyChain(await readFor(b), { tenantId: b }), [], 'untouched, it verifies');
  await pool.query(
    `update es.events set tenant_id = $1, category = 'other' where stream_id = $2 and revision = 1`,
    [b, streamA],
  );
  const seen = await readFor(b);
  t.equal(seen.length, 2, "the tenant filter now hands tenant b tenant a's event");
  t.same(
    verifyChain(seen, { tenantId: b }).map((f) => [f.streamId, f.reason]),
    [[streamA, 'misrouted']],
    'its content says whose it is, and its category is not its stream’s',
  );
  await pool.query(
    `update es.events set tenant_id = $1, category = 'account' where stream_id = $2 and revision = 1`,
    [a, streamA],
  );
});

t.test('a stream cut short is caught against a head recorded before', async (t) => {
  t.same(verifyChain(await store.readStream(streamA), { heads }), []);
  await pool.query('delete from es.events where stream_id = $1 and revision = 1', [streamA]);
  const rest = await store.readStream(streamA);
  t.same(verifyChain(rest), [], 'the shorter chain verifies on its own');
  t.same(
    verifyChain(rest, { heads }).map((f) => f.reason),
    ['truncated'],
  );
});
