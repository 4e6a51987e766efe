// The tracker reads the checkpoints and the held tenants in one snapshot: read apart, a hold
// and the batch that skipped past its tenant could commit between the two reads, and the
// skipped checkpoint be believed for a tenant not yet known to be held (found by review).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ACCOUNTS_PROJECTION,
  CHECKPOINT_CHANNEL,
  HELD_TENANT_CHANNEL,
  type ProjectionsSchema,
  type TenantReadModels,
} from '@techflow/platform';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import t, { type Test } from 'tap';
import { startQueryService } from './helpers/harness.js';

/**
 * A projector's transaction that holds `tenantId` at 10 and moves the checkpoint past its
 * events to 15. It locks the checkpoint table first, only to make the interleaving
 * deterministic: it begins, `meanwhile` runs, it waits until the tracker's read is blocked
 * behind the lock (a read of the holds alone would not be), then writes and commits.
 */
async function holdAndSkip(
  t: Test,
  database: { readonly url: string },
  db: Kysely<TenantReadModels & ProjectionsSchema>,
  tenantId: string,
  meanwhile: () => Promise<unknown> = async () => undefined,
): Promise<void> {
  const x = new pg.Client({ connectionString: database.url });
  await x.connect();
  t.teardown(() => x.end());
  await x.query('begin');
  await x.query('lock table projections.checkpoints in access exclusive mode');
  await meanwhile();
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
  await x.query('update projections.checkpoints set position = 15 where name = $1', [
    ACCOUNTS_PROJECTION,
  ]);
  await x.query('select pg_notify($1, $2)', [CHECKPOINT_CHANNEL, `${ACCOUNTS_PROJECTION}:15`]);
  await x.query('commit');
}

const stillParked = (parked: Promise<unknown>) =>
  Promise.race([parked, sleep(2000).then(() => 'still parked' as const)]);

t.test('a hold and its skip committed while the tracker reconnects', async (t) => {
  const { database, db, checkpoints, newTenant, advance } = await startQueryService(t);
  const tenantId = await newTenant();
  await advance(10n);
  // A read of this tenant parked for its write at 12.
  let resolvedWith: bigint | undefined | 'pending' = 'pending';
  const parked = checkpoints
    .waitFor(ACCOUNTS_PROJECTION, 12n, 20_000, undefined, tenantId)
    .then((p) => {
      resolvedWith = p;
    });
  // The tracker's connection drops while the projector's transaction runs.
  await holdAndSkip(t, database, db, tenantId, () =>
    sql`select pg_terminate_backend(pid) from pg_stat_activity
      where application_name = 'techflow-query-checkpoints' and datname = current_database()`.execute(
      db,
    ),
  );
  t.equal(await stillParked(parked), 'still parked', 'the held tenant’s read is not released');
  while (checkpoints.heldAt(ACCOUNTS_PROJECTION, tenantId) === undefined) await sleep(5);
  t.equal(checkpoints.position(ACCOUNTS_PROJECTION, tenantId), 10n, 'held at 10');
  t.not(resolvedWith, 15n, 'never released with a position its model does not have');
});

t.test('a hold and its skip committed during the periodic refresh', async (t) => {
  const { database, db, checkpoints, newTenant, advance } = await startQueryService(t);
  const tenantId = await newTenant();
  await advance(10n);
  const parked = checkpoints.waitFor(ACCOUNTS_PROJECTION, 12n, 20_000, undefined, tenantId);
  await holdAndSkip(t, database, db, tenantId);
  t.equal(await stillParked(parked), 'still parked', 'the held tenant’s read is not released');
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
