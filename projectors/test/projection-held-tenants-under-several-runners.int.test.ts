import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import t, { type Test } from 'tap';
import type { Projection } from '../src/projection.js';
import { accountsProjection } from '../src/projections/accounts.js';
import { appendLog } from './support/append.js';
import { EventLog } from './support/events.js';
import {
  balanceOf,
  failingOn,
  heldRows,
  twoTenantsOneBadEvent,
} from './support/failing-projection.js';
import { createInfra, eventually } from './support/infra.js';
import { expectTenant, readTenant } from './support/read-model.js';
import { checkpointOf, reaches, startRunner } from './support/runner.js';

// Holds and releases are compare-and-sets on the checkpoint row: these are the ways two
// runners of one projection (a rolling deploy, replicas) could disagree on who is held.

/** A tenant held at a deposit of 20 (after one of 10), with `after` deposits of 1 behind it. */
async function heldTenant(t: Test, after: number) {
  const infra = await createInfra();
  t.teardown(() => infra.close());
  const log = new EventLog();
  const tenant = randomUUID();
  const a = randomUUID();
  log.open(tenant, a);
  log.deposit(tenant, a, 10n);
  const bad = log.deposit(tenant, a, 20n);
  for (let i = 0; i < after; i++) log.deposit(tenant, a, 1n);
  const events = await appendLog(infra.eventStore, log);
  const first = startRunner(infra, {}, failingOn(bad.eventId, { broken: true }));
  await first.start();
  await reaches(infra, events.at(-1)!.position);
  await first.stop();
  t.equal((await heldRows(infra)).length, 1, 'held');
  return { infra, log, tenant, a, bad, events, fixed: failingOn(bad.eventId, { broken: false }) };
}

t.test('a runner that still holds a tenant another released applies its events', async (t) => {
  const { infra, log, held, other, a, b, bad, events } = await twoTenantsOneBadEvent(t);
  // The old process of a rolling deploy holds the tenant back...
  const old = startRunner(infra, {}, failingOn(bad.eventId, { broken: true }));
  await old.start();
  await reaches(infra, events.at(-1)!.position);
  // ...the new one, with the fix, replays and releases it, and goes away again.
  const fresh = startRunner(infra, {}, failingOn(bad.eventId, { broken: false }));
  await fresh.start();
  await eventually('released', async () => (await heldRows(infra)).length === 0);
  await fresh.stop();
  t.equal(await balanceOf(infra, held, a), '70');

  // The old one, still running, must not skip the released tenant's next events.
  log.deposit(held, a, 1000n);
  log.deposit(other, b, 100n);
  const more = await appendLog(infra.eventStore, log);
  await reaches(infra, more.at(-1)!.position);
  await eventually('the deposit is applied', async () => {
    return (await balanceOf(infra, held, a)) === '1070';
  });
  t.equal(await balanceOf(infra, other, b), '112');
  t.equal(old.status().heldTenants, 0, 'the old runner knows the tenant is released');
  await old.stop();
});

t.test('two replicas replaying one held tenant apply each event once', async (t) => {
  const { infra, log, tenant, a, fixed } = await heldTenant(t, 200);
  // Small pages: the replays take many steps and interleave.
  const options = { maxBatch: 20, catchUpBatch: 20 };
  const r1 = startRunner(infra, options, fixed);
  const r2 = startRunner(infra, options, fixed);
  await Promise.all([r1.start(), r2.start()]);
  await eventually('released', async () => (await heldRows(infra)).length === 0);
  await eventually('neither runner holds it', async () => {
    return r1.status().heldTenants + r2.status().heldTenants === 0;
  });
  log.deposit(tenant, a, 1000n);
  const more = await appendLog(infra.eventStore, log);
  await reaches(infra, more.at(-1)!.position);
  await eventually('every deposit once', async () => {
    return (await balanceOf(infra, tenant, a)) === '1230';
  });
  await Promise.all([r1.stop(), r2.stop()]);
  const entries = (await readTenant(infra.db, tenant)).entries;
  t.equal(entries.length, 203, 'each statement line once');
});

t.test('a slower replica does not hold again a tenant another has released', async (t) => {
  const { infra, tenant, a, fixed } = await heldTenant(t, 50);
  // The same code; this replica's first write is only slower (a busy machine, a GC pause),
  // so it finds the page already applied by the other and fails on it.
  let slow = true;
  const slower: Projection = {
    ...fixed,
    async apply(trx, events) {
      if (slow) {
        slow = false;
        await new Promise((r) => setTimeout(r, 1500));
      }
      await fixed.apply(trx, events);
    },
    applyInOneStatement: () => null,
  };
  const r1 = startRunner(infra, {}, slower);
  const r2 = startRunner(infra, {}, fixed);
  await Promise.all([r1.start(), r2.start()]);
  await eventually('released', async () => (await heldRows(infra)).length === 0);
  // Past the slow write: it must have found the page taken, not held the tenant again.
  await new Promise((r) => setTimeout(r, 2000));
  t.same(await heldRows(infra), [], 'not held again');
  t.equal(await balanceOf(infra, tenant, a), '80', 'complete, each event once');
  await Promise.all([r1.stop(), r2.stop()]);
});

t.test("a newer version's rebuild ends an older version's replay", async (t) => {
  const { infra, events, tenant, bad } = await heldTenant(t, 60);
  const start = BigInt((await heldRows(infra))[0]!.applied_through);
  const fixed = failingOn(bad.eventId, { broken: false });
  const slow: Projection = {
    ...fixed,
    async apply(trx, evs) {
      await new Promise((r) => setTimeout(r, 300));
      await fixed.apply(trx, evs);
    },
    applyInOneStatement: () => null,
  };
  const old = startRunner(infra, { maxBatch: 5, catchUpBatch: 5 }, slow);
  await old.start();
  await eventually('the replay is under way', async () => {
    const rows = await heldRows(infra);
    return rows.length === 1 && BigInt(rows[0]!.applied_through) > start;
  });
  const newer: Projection = { ...accountsProjection, version: accountsProjection.version + 1 };
  const fresh = startRunner(infra, {}, newer);
  await fresh.start();
  await reaches(infra, events.at(-1)!.position);
  await old.done;
  t.equal(old.status().status, 'failed', 'the older runner is fenced out');
  await fresh.stop();
  t.same(await heldRows(infra), [], 'the rebuilt model holds nobody');
  t.same((await readTenant(infra.db, tenant)).accounts, expectTenant(events, tenant).accounts);
});

t.test('an event whose tenant id is malformed holds only that id', async (t) => {
  const infra = await createInfra();
  t.teardown(() => infra.close());
  const log = new EventLog();
  const [good, a] = [randomUUID(), randomUUID()];
  log.open(good, a);
  log.deposit(good, a, 10n);
  log.deposit('not-a-tenant', randomUUID(), 5n);
  log.deposit(good, a, 20n);
  const events = await appendLog(infra.eventStore, log);
  const runner = startRunner(infra);
  await runner.start();
  await reaches(infra, events.at(-1)!.position);
  t.equal(runner.status().status, 'running');
  t.equal(await balanceOf(infra, good, a), '30', 'every other tenant is complete');
  t.match(await heldRows(infra), [{ tenant_id: 'not-a-tenant' }]);
  await runner.stop();
});

t.test('a held tenant is keyed as its events spell it', async (t) => {
  const infra = await createInfra();
  t.teardown(() => infra.close());
  const log = new EventLog();
  const upper = randomUUID().toUpperCase();
  const a = randomUUID();
  log.open(upper, a);
  log.deposit(upper, a, 10n);
  const bad = log.deposit(upper, a, 20n);
  log.deposit(upper, a, 40n);
  const events = await appendLog(infra.eventStore, log);
  const r = startRunner(infra, {}, failingOn(bad.eventId, { broken: true }));
  await r.start();
  await reaches(infra, events.at(-1)!.position);
  t.match(await heldRows(infra), [{ tenant_id: upper }]);
  await r.stop();
  const fixed = startRunner(infra, {}, failingOn(bad.eventId, { broken: false }));
  await fixed.start();
  await eventually('released', async () => (await heldRows(infra)).length === 0);
  t.equal(await balanceOf(infra, upper.toLowerCase(), a), '70', 'the replay found its events');
  await fixed.stop();
});

t.test(
  'stopped while the database is away for the hold, the projection is not failed',
  async (t) => {
    const infra = await createInfra();
    t.teardown(() => infra.close());
    // Away for the hold's writes only: SQLSTATE 53300, which counts as the database away.
    await sql`create function projections.test_away() returns trigger language plpgsql as $$
    begin raise exception 'away' using errcode = '53300'; end $$`.execute(infra.db);
    await sql`create trigger test_away before insert on projections.held_tenants
    for each row execute function projections.test_away()`.execute(infra.db);
    t.teardown(() =>
      sql`drop function if exists projections.test_away() cascade`.execute(infra.db),
    );
    const log = new EventLog();
    const [held, other] = [randomUUID(), randomUUID()];
    const [a, b] = [randomUUID(), randomUUID()];
    log.open(held, a);
    log.open(other, b);
    const bad = log.deposit(held, a, 20n);
    log.deposit(other, b, 5n);
    const events = await appendLog(infra.eventStore, log);
    const broken = failingOn(bad.eventId, { broken: true });
    const runner = startRunner(infra, {}, broken);
    await runner.start();
    // Past the batch's own retries (3, about 3 s), into the hold's.
    await new Promise((r) => setTimeout(r, 5000));
    await runner.stop();
    t.equal(runner.status().status, 'stopped');
    t.not((await checkpointOf(infra))?.status, 'failed', 'nothing recorded as failed');

    // Back: the next start holds the tenant and goes on with the other.
    await sql`drop trigger test_away on projections.held_tenants`.execute(infra.db);
    const again = startRunner(infra, {}, broken);
    await again.start();
    await reaches(infra, events.at(-1)!.position);
    t.equal(await balanceOf(infra, other, b), '5');
    t.equal((await heldRows(infra)).length, 1);
    await again.stop();
  },
);
