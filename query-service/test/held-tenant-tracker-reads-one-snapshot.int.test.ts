// The tracker reads the checkpoints and the held tenants in one snapshot: read apart, a hold
// and the batch that skipped past its tenant could commit between the two reads, and the
// skipped checkpoint be believed for a tenant not yet known to be held (found by review).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ACCOUNTS_PROJECTION, CHECKPOINT_CHANNEL, HELD_TENANT_CHANNEL } from '@techflow/platform';
import { sql } from 'kysely';
import pg from 'pg';
import t from 'tap';
import { startQueryService } from './helpers/harness.js';

t.test('a hold committed between the reconnect read of holds and of checkpoints', async (t) => {
  const { database, db, checkpoints, newTenant, advance } = await startQueryService(t);
  const tenantId = await newTenant();
  await advance(10n);

  // A read of this tenant parked for its write at 12.
  let resolvedWith: bigint | undefined | 'pending' = 'pending';
  const parked = checkpoints
    .waitFor(ACCOUNTS_PROJECTION, 12n, 20_000, undefined, tenantId)
    .then((p) => {
      resolvedWith = p;
      // What a read would claim at that very moment.
      return { p, claimed: checkpoints.position(ACCOUNTS_PROJECTION, tenantId) };
    });

  // The projector's transaction: it locks the checkpoint table first (only to make the
  // interleaving deterministic: the tracker's checkpoints read waits behind it, its holds read
  // does not), then holds the tenant at 10 and moves the checkpoint past its events to 15.
  const x = new pg.Client({ connectionString: database.url });
  await x.connect();
  t.teardown(() => x.end());
  await x.query('begin');
  await x.query('lock table projections.checkpoints in access exclusive mode');

  // The tracker's connection drops; it reconnects, LISTENs, reads holds (none), then waits.
  await sql`select pg_terminate_backend(pid) from pg_stat_activity
    where application_name = 'techflow-query-checkpoints' and datname = current_database()`.execute(
    db,
  );
  for (;;) {
    const r = await sql<{ n: string }>`select count(*) as n from pg_stat_activity
      where application_name = 'techflow-query-checkpoints' and datname = current_database()
        and wait_event_type = 'Lock'`.execute(db);
    if (Number(r.rows[0]?.n) > 0) break;
    await sleep(5);
  }

  await x.query(
    `insert into projections.held_tenants (projection, tenant_id, applied_through, event_id, position, error)
     values ($1, $2, 10, $3, 11, 'Error: cannot apply')`,
    [ACCOUNTS_PROJECTION, tenantId, randomUUID()],
  );
  await x.query('select pg_notify($1, $2)', [
    HELD_TENANT_CHANNEL,
    JSON.stringify({ projection: ACCOUNTS_PROJECTION, tenantId, appliedThrough: '10' }),
  ]);
  await x.query(`update projections.checkpoints set position = 15 where name = $1`, [
    ACCOUNTS_PROJECTION,
  ]);
  await x.query('select pg_notify($1, $2)', [CHECKPOINT_CHANNEL, `${ACCOUNTS_PROJECTION}:15`]);
  await x.query('commit');

  const outcome = await Promise.race([parked, sleep(2000).then(() => 'still parked' as const)]);
  t.comment(
    `parked read: ${JSON.stringify(outcome, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`,
  );
  t.equal(outcome, 'still parked', 'the parked read of the held tenant is not released at 15');
  while (checkpoints.heldAt(ACCOUNTS_PROJECTION, tenantId) === undefined) await sleep(5);
  t.equal(checkpoints.position(ACCOUNTS_PROJECTION, tenantId), 10n, 'eventually held at 10');
  t.not(resolvedWith, 15n, 'never released with a position its model does not have');
});

t.test('the same interleaving in the periodic refresh (no reconnect)', async (t) => {
  const { database, db, checkpoints, newTenant, advance } = await startQueryService(t);
  const tenantId = await newTenant();
  await advance(10n);
  const parked = checkpoints.waitFor(ACCOUNTS_PROJECTION, 12n, 20_000, undefined, tenantId);
  const x = new pg.Client({ connectionString: database.url });
  await x.connect();
  t.teardown(() => x.end());
  await x.query('begin');
  await x.query('lock table projections.checkpoints in access exclusive mode');
  for (;;) {
    const r = await sql<{ n: string }>`select count(*) as n from pg_stat_activity
      where application_name = 'techflow-query-checkpoints' and datname = current_database()
        and wait_event_type = 'Lock'`.execute(db);
    if (Number(r.rows[0]?.n) > 0) break;
    await sleep(5);
  }
  await x.query(
    `insert into projections.held_tenants (projection, tenant_id, applied_through, event_id, position, error)
     values ($1, $2, 10, $3, 11, 'Error: cannot apply')`,
    [ACCOUNTS_PROJECTION, tenantId, randomUUID()],
  );
  await x.query('select pg_notify($1, $2)', [
    HELD_TENANT_CHANNEL,
    JSON.stringify({ projection: ACCOUNTS_PROJECTION, tenantId, appliedThrough: '10' }),
  ]);
  await x.query(`update projections.checkpoints set position = 15 where name = $1`, [
    ACCOUNTS_PROJECTION,
  ]);
  await x.query('select pg_notify($1, $2)', [CHECKPOINT_CHANNEL, `${ACCOUNTS_PROJECTION}:15`]);
  await x.query('commit');
  const outcome = await Promise.race([parked, sleep(2000).then(() => 'still parked' as const)]);
  t.equal(outcome, 'still parked', 'periodic refresh: the parked read is not released at 15');
});

t.test("another tenant's release does not release a held tenant's parked read", async (t) => {
  const { db, checkpoints, newTenant, advance } = await startQueryService(t);
  const { holdTenant } = await import('./helpers/read-models.js');
  const [t1, t2] = [await newTenant(), await newTenant()];
  await advance(10n);
  await holdTenant(db, t1, 8n);
  await holdTenant(db, t2, 9n);
  await advance(20n);
  while (checkpoints.heldCount(ACCOUNTS_PROJECTION) < 2) await sleep(5);
  const ac = new AbortController();
  const parked = checkpoints.waitFor(ACCOUNTS_PROJECTION, 15n, 20_000, ac.signal, t1);
  await holdTenant(db, t2, null);
  while (checkpoints.heldCount(ACCOUNTS_PROJECTION) > 1) await sleep(5);
  const outcome = await Promise.race([parked, sleep(500).then(() => 'parked' as const)]);
  t.equal(outcome, 'parked');
  t.equal(checkpoints.position(ACCOUNTS_PROJECTION, t2), 20n);
  ac.abort();
  t.equal(await parked, undefined);
  t.equal(checkpoints.waiting(ACCOUNTS_PROJECTION), 0, 'nothing left parked');
});
