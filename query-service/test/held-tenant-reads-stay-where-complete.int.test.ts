import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ACCOUNTS_PROJECTION } from '@techflow/platform';
import { sql } from 'kysely';
import t from 'tap';
import { startQueryService } from './helpers/harness.js';
import { advanceCheckpoint, holdTenant } from './helpers/read-models.js';

t.test('a held tenant reads its model where it is complete; the others are not held', async (t) => {
  const { app, db, checkpoints, newTenant, bearer, advance } = await startQueryService(t, {
    minPositionWaitMs: 5000,
  });
  const [held, other] = [await newTenant(), await newTenant()];
  const heldHeaders = bearer({ tenantId: held, userId: randomUUID(), role: 'admin' });
  const otherHeaders = bearer({ tenantId: other, userId: randomUUID(), role: 'member' });
  await advance(10n);
  await holdTenant(db, held, 6n);
  while (checkpoints.heldAt(ACCOUNTS_PROJECTION, held) !== 6n) await sleep(5);

  const plain = await app.inject({ url: '/v1/accounts', headers: heldHeaders });
  t.equal(plain.statusCode, 200, 'its model is readable as it stands');
  t.equal(plain.headers['x-position'], '6', 'claiming only what it holds');
  const theirs = await app.inject({ url: '/v1/accounts', headers: otherHeaders });
  t.equal(theirs.headers['x-position'], '10', 'another tenant reads at the checkpoint');

  const behind = await app.inject({
    url: '/v1/accounts',
    headers: { ...heldHeaders, 'x-min-position': '5' },
  });
  t.equal(behind.statusCode, 200, 'a write it holds is seen');
  const started = performance.now();
  const ahead = await app.inject({
    url: '/v1/accounts',
    headers: { ...heldHeaders, 'x-min-position': '8' },
  });
  t.equal(ahead.statusCode, 503);
  t.ok(performance.now() - started < 4000, 'at once, not after the 5 s wait');
  t.match(ahead.json(), {
    code: 'stale_read_model',
    detail: /complete through position 6.*replay/,
  });
  t.equal(ahead.headers['retry-after'], '30');
  const otherAhead = await app.inject({
    url: '/v1/accounts',
    headers: { ...otherHeaders, 'x-min-position': '10' },
  });
  t.equal(otherAhead.statusCode, 200, 'the other tenant is not held back');

  const admin = await app.inject({ url: '/v1/admin/projections', headers: heldHeaders });
  t.match(admin.json(), [{ name: ACCOUNTS_PROJECTION, tenantHeldThrough: '6' }]);
  t.notMatch(admin.json(), [{ heldTenants: Number }], 'other organizations are not counted');
  const metrics = await app.inject({ url: '/metrics' });
  t.match(metrics.body, /techflow_query_held_tenants(\{[^}]*\})? 1\n/);

  // Replayed and released: its reads follow the checkpoint again.
  await holdTenant(db, held, null);
  while (checkpoints.heldAt(ACCOUNTS_PROJECTION, held) !== undefined) await sleep(5);
  const released = await app.inject({
    url: '/v1/accounts',
    headers: { ...heldHeaders, 'x-min-position': '8' },
  });
  t.equal(released.statusCode, 200);
  t.equal(released.headers['x-position'], '10');
  const adminAfter = await app.inject({ url: '/v1/admin/projections', headers: heldHeaders });
  t.notMatch(adminAfter.json(), [{ tenantHeldThrough: String }]);
});

t.test('a parked read is not released by a checkpoint that skipped its tenant', async (t) => {
  const { app, db, checkpoints, newTenant, bearer, advance } = await startQueryService(t);
  const tenantId = await newTenant();
  const headers = bearer({ tenantId, userId: randomUUID(), role: 'member' });
  await advance(10n);
  const pending = app.inject({
    url: '/v1/accounts',
    headers: { ...headers, 'x-min-position': '12' },
  });
  while (checkpoints.waiting(ACCOUNTS_PROJECTION) < 1) await sleep(5);
  // The projector holds the tenant at 10, then commits a batch past its events.
  await holdTenant(db, tenantId, 10n);
  await advance(15n);
  t.equal(checkpoints.waiting(ACCOUNTS_PROJECTION), 1, 'still waiting at 15');
  t.equal(checkpoints.position(ACCOUNTS_PROJECTION, tenantId), 10n);
  // Replay done: released, and the read goes on with the checkpoint.
  await holdTenant(db, tenantId, null);
  const res = await pending;
  t.equal(res.statusCode, 200);
  t.equal(res.headers['x-position'], '15');
});

t.test('a hold made while the tracker was disconnected is known once it is back', async (t) => {
  const { db, checkpoints, newTenant } = await startQueryService(t);
  const tenantId = await newTenant();
  await sql`select pg_terminate_backend(pid) from pg_stat_activity
    where application_name = 'techflow-query-checkpoints' and datname = current_database()`.execute(
    db,
  );
  while (checkpoints.isListening()) await sleep(5);
  await holdTenant(db, tenantId, 3n, false);
  await advanceCheckpoint(db, 9n);
  while (checkpoints.position(ACCOUNTS_PROJECTION) < 9n) await sleep(5);
  t.equal(checkpoints.position(ACCOUNTS_PROJECTION, tenantId), 3n, 'held, from the re-read');
  t.equal(await checkpoints.waitFor(ACCOUNTS_PROJECTION, 9n, 0, undefined, tenantId), undefined);
  t.equal(await checkpoints.waitFor(ACCOUNTS_PROJECTION, 9n, 0), 9n, 'others are at 9');
});
