import { randomUUID } from 'node:crypto';
import t from 'tap';
import {
  createPool,
  createPostgresEventStore,
  expireIdempotencyKeys,
  migrateEventStore,
} from '../src/index.js';
import { createTestDatabase } from '../src/testing/index.js';

t.test('keys older than the retention are forgotten, younger ones still replay', async (t) => {
  const db = await createTestDatabase();
  const pool = createPool(db.url, { max: 2 });
  t.teardown(async () => {
    await pool.end();
    await db.drop();
  });
  await migrateEventStore(pool);
  const store = createPostgresEventStore(pool);
  t.teardown(() => store.close());
  const tenantId = randomUUID();
  const remember = (key: string) =>
    store.appendToStreams(
      [{ streamId: `account-${tenantId}:${randomUUID()}`, events: [], expectedRevision: 'any' }],
      {
        idempotency: {
          scope: tenantId,
          key,
          requestHash: 'h',
          status: 422,
          body: { code: 'insufficient_funds' },
        },
      },
    );
  await remember('old');
  await remember('young');
  await pool.query(
    `update es.idempotency_keys set created_at = now() - interval '49 hours' where key = 'old'`,
  );

  await t.rejects(
    expireIdempotencyKeys(pool, 12),
    RangeError,
    'never less than the 24 h the API promises',
  );
  t.equal(await expireIdempotencyKeys(pool, 48, 1), 1, 'one key past 48 h removed');
  const old = await remember('old');
  t.equal(old.kind, 'appended', 'the expired key is free again');
  const young = await remember('young');
  t.equal(young.kind, 'replayed', 'the young key still replays its first answer');
});
