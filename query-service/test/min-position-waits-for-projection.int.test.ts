import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ACCOUNTS_PROJECTION } from '@techflow/platform';
import { sql } from 'kysely';
import t from 'tap';
import type { CheckpointTracker } from '../src/min-position.js';
import { startQueryService } from './helpers/harness.js';
import { accountRow, advanceCheckpoint, insertAccounts } from './helpers/read-models.js';

/** Waits (not a timed assertion) until `count` reads are parked on the accounts checkpoint. */
async function parked(tracker: CheckpointTracker, count: number): Promise<void> {
  while (tracker.waiting(ACCOUNTS_PROJECTION) < count) await sleep(5);
}

t.test('a read with X-Min-Position ahead of the checkpoint waits for the projection', async (t) => {
  const { app, db, checkpoints, newTenant, bearer } = await startQueryService(t);
  const tenantId = await newTenant();
  const headers = bearer({ tenantId, userId: randomUUID(), role: 'member' });
  await advanceCheckpoint(db, 5n);
  while (checkpoints.position(ACCOUNTS_PROJECTION) < 5n) await sleep(5);

  t.test('already there: answers at once, saying where it read', async (t) => {
    const res = await app.inject({
      url: '/v1/accounts',
      headers: { ...headers, 'x-min-position': '5' },
    });
    t.equal(res.statusCode, 200);
    t.equal(res.headers['x-position'], '5');
  });

  t.test('ahead: answers only after the checkpoint passes it, with the new data', async (t) => {
    const accountId = randomUUID();
    let advanced = false;
    const pending = app
      .inject({ url: `/v1/accounts/${accountId}`, headers: { ...headers, 'x-min-position': '12' } })
      .then((res) => ({ res, advancedFirst: advanced }));
    await parked(checkpoints, 1);

    // Another projection's progress and a batch short of the position release nothing.
    await advanceCheckpoint(db, 50n, 'some_other_projection');
    await advanceCheckpoint(db, 11n);
    while (checkpoints.position(ACCOUNTS_PROJECTION) < 11n) await sleep(5);
    t.equal(checkpoints.waiting(ACCOUNTS_PROJECTION), 1, 'still parked at 11');

    // The projector's batch: rows, then its checkpoint and NOTIFY.
    await insertAccounts(db, tenantId, [
      accountRow({ account_id: accountId, opened_position: '12' }),
    ]);
    advanced = true;
    await advanceCheckpoint(db, 12n);
    const { res, advancedFirst } = await pending;
    t.ok(advancedFirst, 'answered after the checkpoint moved');
    t.equal(res.statusCode, 200, 'sees its own write');
    t.equal(res.json<{ accountId: string }>().accountId, accountId);
    t.equal(res.headers['x-position'], '12');
    t.equal(checkpoints.waiting(ACCOUNTS_PROJECTION), 0);
    const metrics = await app.inject({ url: '/metrics' });
    t.match(
      metrics.body,
      /techflow_query_min_position_wait_seconds_count\{[^}]*outcome="ok"[^}]*\} [1-9]/,
    );
    t.match(metrics.body, /techflow_query_checkpoint_position\{[^}]*\} 12/);
  });

  t.test('many parked reads are all released by one notification', async (t) => {
    const reads = Array.from({ length: 5 }, (_, i) =>
      app.inject({
        url: '/v1/members',
        headers: { ...headers, 'x-min-position': String(13 + (i % 2)) },
      }),
    );
    await parked(checkpoints, 5);
    await advanceCheckpoint(db, 20n);
    const answers = await Promise.all(reads);
    t.same(
      answers.map((r) => r.statusCode),
      [200, 200, 200, 200, 200],
    );
    t.same(
      answers.map((r) => r.headers['x-position']),
      ['20', '20', '20', '20', '20'],
    );
  });

  t.test('an invalid X-Min-Position is 400 validation_failed', async (t) => {
    for (const value of ['abc', '-1', '1.5', '01', '99999999999999999999']) {
      const res = await app.inject({
        url: '/v1/accounts',
        headers: { ...headers, 'x-min-position': value },
      });
      t.equal(res.statusCode, 400, value);
      t.equal(res.json<{ code: string }>().code, 'validation_failed', value);
    }
  });
});

t.test('a read whose position never arrives answers 503 stale_read_model', async (t) => {
  const { app, db, checkpoints, newTenant, bearer } = await startQueryService(t, {
    minPositionWaitMs: 150,
  });
  const tenantId = await newTenant();
  await advanceCheckpoint(db, 7n);
  while (checkpoints.position(ACCOUNTS_PROJECTION) < 7n) await sleep(5);
  const res = await app.inject({
    url: '/v1/accounts',
    headers: {
      ...bearer({ tenantId, userId: randomUUID(), role: 'member' }),
      'x-min-position': '1000',
    },
  });
  t.equal(res.statusCode, 503);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  t.match(res.json(), { code: 'stale_read_model', status: 503 });
  t.equal(res.headers['retry-after'], '1');
  t.equal(checkpoints.waiting(ACCOUNTS_PROJECTION), 0, 'the waiter is gone');
});

t.test('the tracker recovers its position after losing its connection', async (t) => {
  const { db, checkpoints } = await startQueryService(t);
  await advanceCheckpoint(db, 3n);
  while (checkpoints.position(ACCOUNTS_PROJECTION) < 3n) await sleep(5);
  await sql`select pg_terminate_backend(pid) from pg_stat_activity
    where application_name = 'techflow-query-checkpoints' and datname = current_database()`.execute(
    db,
  );
  const released = checkpoints.waitFor(ACCOUNTS_PROJECTION, 9n, 30_000);
  while (checkpoints.isListening()) await sleep(5);
  // Committed while nobody listens: only the re-read after reconnecting can learn it.
  await advanceCheckpoint(db, 9n);
  t.equal(await released, 9n);
  while (!checkpoints.isListening()) await sleep(5);
  t.pass('listening again');
});

t.test('a checkpoint that moves back (a rebuild) is believed', async (t) => {
  const { db, checkpoints } = await startQueryService(t);
  await advanceCheckpoint(db, 40n);
  while (checkpoints.position(ACCOUNTS_PROJECTION) < 40n) await sleep(5);
  await advanceCheckpoint(db, 0n);
  while (checkpoints.position(ACCOUNTS_PROJECTION) !== 0n) await sleep(5);
  t.equal(
    await checkpoints.waitFor(ACCOUNTS_PROJECTION, 40n, 0),
    undefined,
    'reads of 40 wait again',
  );
});

t.test('a caller that hangs up leaves no read parked', async (t) => {
  const { app, db, checkpoints, newTenant, bearer } = await startQueryService(t);
  const tenantId = await newTenant();
  await advanceCheckpoint(db, 2n);
  while (checkpoints.position(ACCOUNTS_PROJECTION) < 2n) await sleep(5);
  // A real socket: the hang-up is the connection closing, which inject cannot do.
  const origin = await app.listen({ port: 0, host: '127.0.0.1' });
  const hangUp = new AbortController();
  const read = fetch(`${origin}/v1/accounts`, {
    headers: {
      ...bearer({ tenantId, userId: randomUUID(), role: 'member' }),
      'x-min-position': '90',
    },
    signal: hangUp.signal,
  }).catch((e: unknown) => e);
  await parked(checkpoints, 1);
  hangUp.abort();
  t.match(await read, { name: 'AbortError' });
  // The default wait is 5 s: the waiter leaves long before, when its socket closes.
  while (checkpoints.waiting(ACCOUNTS_PROJECTION) > 0) await sleep(5);
  const metrics = await app.inject({ url: '/metrics' });
  t.match(
    metrics.body,
    /techflow_query_min_position_wait_seconds_count\{[^}]*outcome="gone"[^}]*\} 1/,
    'counted as gone, not stale',
  );
});
