import { randomUUID } from 'node:crypto';
import t from 'tap';
import { createPool } from '../src/db/pool.js';
import {
  type AppendResult,
  ExpectedRevisionConflict,
  type NewEvent,
} from '../src/event-store/port.js';
import { migrateEventStore } from '../src/event-store/postgres/migrate.js';
import { createPostgresEventStore } from '../src/event-store/postgres/postgres-event-store.js';
import { createTestDatabase } from '../src/testing/database.js';

const db = await createTestDatabase('tf_es_group');
const pool = createPool(db.url, { max: 4 });
t.teardown(async () => {
  await pool.end();
  await db.drop();
});
await migrateEventStore(pool);

const event = (type = 'Noted', eventId: string = randomUUID()): NewEvent => ({
  eventId,
  type,
  version: 1,
  data: { note: 'group commit' },
  metadata: {
    tenantId: 'tenant-a',
    actor: 'user:test',
    correlationId: randomUUID(),
    causationId: null,
    occurredAt: new Date().toISOString(),
  },
});

t.test('stale commands in a shared batch fail alone', async (t) => {
  const batches: number[] = [];
  const store = createPostgresEventStore(pool, {
    metrics: { onAppended: (events) => batches.push(events) },
  });
  t.teardown(() => store.close());
  const streams = Array.from({ length: 20 }, (_, i) => `acct-${i}`);
  for (const s of streams)
    await store.appendToStream(s, [event()], { expectedRevision: 'no_stream' });
  batches.length = 0;

  // Per contested stream 8 writers expect revision 0: one may win, 7 must conflict. Beside
  // them, 60 writers to streams of their own that must all succeed.
  const contested = streams.flatMap((s) =>
    Array.from({ length: 8 }, () => store.appendToStream(s, [event()], { expectedRevision: 0n })),
  );
  const independent = Array.from({ length: 60 }, (_, i) =>
    store.appendToStream(`xfer-${i}`, [event(), event()], { expectedRevision: 'no_stream' }),
  );
  const results = await Promise.allSettled([...contested, ...independent]);
  const contestedResults = results.slice(0, contested.length);
  const won = contestedResults.filter((r) => r.status === 'fulfilled');
  const conflicts = contestedResults.filter(
    (r) => r.status === 'rejected' && r.reason instanceof ExpectedRevisionConflict,
  );
  t.equal(won.length, streams.length, 'exactly one winner per contested stream');
  t.equal(conflicts.length, streams.length * 7, 'every other contender got a conflict');
  const conflict = conflicts[0];
  if (conflict?.status === 'rejected' && conflict.reason instanceof ExpectedRevisionConflict) {
    t.same([conflict.reason.expected, conflict.reason.actual], [0n, 1n], 'naming the revisions');
  }
  const independentResults = results.slice(contested.length);
  t.ok(
    independentResults.every((r) => r.status === 'fulfilled'),
    'the independent commands all succeeded',
  );
  const written = streams.length + independent.length * 2;
  t.equal(
    batches.reduce((a, b) => a + b, 0),
    written,
    'every written event was counted once',
  );
  t.ok(
    batches.length < streams.length + independent.length,
    `commands shared commits (${batches.length} batches for ${won.length + independent.length} writes)`,
  );
  const positions = independentResults
    .filter((r): r is PromiseFulfilledResult<AppendResult> => r.status === 'fulfilled')
    .map((r) => r.value.position);
  t.equal(new Set(positions).size, positions.length, 'each caller got its own position');
  for (const s of streams) {
    const events = await store.readStream(s);
    t.equal(events.length, 2, `${s}: the first event and one winner`);
  }
});

t.test('a command the database refuses fails only its sender', async (t) => {
  const store = createPostgresEventStore(pool);
  t.teardown(() => store.close());
  const good = Array.from({ length: 10 }, (_, i) =>
    store.appendToStream(`good-${i}`, [event()], { expectedRevision: 'no_stream' }),
  );
  const bad = store.appendToStream('bad-1', [event('Bad', 'not-a-uuid')], {
    expectedRevision: 'no_stream',
  });
  const [goodResults, badResult] = await Promise.all([
    Promise.allSettled(good),
    Promise.allSettled([bad]),
  ]);
  t.ok(
    goodResults.every((r) => r.status === 'fulfilled'),
    'the commands batched with it were written',
  );
  t.equal(badResult[0]?.status, 'rejected', 'the bad one was refused');
  t.same(await store.readStream('bad-1'), [], 'and wrote nothing');
});

t.test('an idempotency record survives a restart', async (t) => {
  const idempotency = {
    scope: 'tenant-a',
    key: randomUUID(),
    requestHash: 'sha256:abc',
    status: 201,
    body: { accountId: 'acct-restart' },
  };
  const first = createPostgresEventStore(pool);
  const appended = await first.appendToStreams(
    [{ streamId: 'acct-restart', events: [event('Opened')], expectedRevision: 'no_stream' }],
    { idempotency },
  );
  await first.close();
  if (appended.kind !== 'appended') throw new Error('expected appended');

  const restartedPool = createPool(db.url, { max: 2 });
  const second = createPostgresEventStore(restartedPool);
  t.teardown(async () => {
    await second.close();
    await restartedPool.end();
  });
  const replayed = await second.appendToStreams(
    [{ streamId: 'acct-restart', events: [event('Opened')], expectedRevision: 'no_stream' }],
    { idempotency },
  );
  t.same(replayed, { kind: 'replayed', record: idempotency, position: appended.position });
  t.equal((await second.readStream('acct-restart')).length, 1, 'nothing written again');
});
