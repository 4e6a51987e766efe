import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import t, { type Test } from 'tap';
import { createProjectorMetrics } from '../src/metrics.js';
import { appendLog } from './support/append.js';
import { EventLog } from './support/events.js';
import {
  balanceOf,
  failingOn,
  heldRows,
  twoTenantsOneBadEvent,
} from './support/failing-projection.js';
import { createInfra, eventually } from './support/infra.js';
import { readTenant } from './support/read-model.js';
import { checkpointOf, reaches, startRunner } from './support/runner.js';

t.test('an event that cannot be applied holds back its tenant only', async (t) => {
  const { infra, log, held, other, a, b, bad, events } = await twoTenantsOneBadEvent(t);
  const poison = events.find((e) => e.eventId === bad.eventId)!;
  const state = { broken: true };

  const registry = new Registry();
  const runner = startRunner(
    infra,
    {},
    failingOn(bad.eventId, state),
    createProjectorMetrics(registry),
  );
  await runner.start();
  await reaches(infra, events.at(-1)!.position);

  t.match(runner.status(), { status: 'running', heldTenants: 1 }, 'the projection goes on');
  t.equal((await checkpointOf(infra))?.status, 'running');
  t.equal(await balanceOf(infra, other, b), '12', 'the other tenant is complete');
  t.equal(await balanceOf(infra, held, a), '10', 'the held tenant stops before its bad event');
  const rows = await heldRows(infra);
  t.match(rows, [
    {
      tenant_id: held,
      applied_through: String(poison.position - 1n),
      event_id: poison.eventId,
      position: String(poison.position),
      attempts: 1,
      error: /cannot apply/,
    },
  ]);
  const letters = await infra.db
    .selectFrom('projections.dead_letters')
    .select(['event_id'])
    .execute();
  t.same(letters, [{ event_id: poison.eventId }], 'the event is a dead letter too');
  t.match(await registry.metrics(), /projection_held_tenants\{projection="accounts"\} 1/);

  // Later events: the other tenant's apply, the held tenant's wait with the rest of its own.
  // (appendLog empties the log and keeps its balances, so it goes on from here.)
  log.deposit(other, b, 100n);
  log.deposit(held, a, 1000n);
  const more = await appendLog(infra.eventStore, log);
  await reaches(infra, more.at(-1)!.position);
  t.equal(await balanceOf(infra, other, b), '112');
  t.equal(await balanceOf(infra, held, a), '10', 'still held');

  await runner.stop();
  // The operators fix the cause and restart: the held tenant's events are replayed.
  state.broken = false;
  const restarted = startRunner(infra, {}, failingOn(bad.eventId, state));
  await restarted.start();
  await eventually('the tenant is released', async () => (await heldRows(infra)).length === 0);
  t.equal(await balanceOf(infra, held, a), '1070', 'every event of the held tenant is applied');
  t.equal(await balanceOf(infra, other, b), '112', 'the other tenant is not applied twice');
  const entries = (await readTenant(infra.db, held)).entries.map((e) => e.amount);
  t.same(entries, ['10', '20', '40', '1000'], 'each statement line once, in order');
  t.equal(restarted.status().heldTenants, 0);

  // Released, the tenant follows the live stream again.
  log.deposit(held, a, 1n);
  const last = await appendLog(infra.eventStore, log);
  await reaches(infra, last.at(-1)!.position);
  await eventually('the new deposit is applied', async () => {
    return (await balanceOf(infra, held, a)) === '1071';
  });
  await restarted.stop();
});

/**
 * A fresh store with one tenant's account: a deposit of 10, then a deposit to an account that
 * was never opened (no restart can apply it), then one of 20.
 */
async function tenantWithUnappliableEvent(t: Test) {
  const infra = await createInfra();
  t.teardown(() => infra.close());
  const log = new EventLog();
  const tenant = randomUUID();
  const a = randomUUID();
  log.open(tenant, a);
  log.deposit(tenant, a, 10n);
  const bad = log.deposit(tenant, randomUUID(), 5n);
  log.deposit(tenant, a, 20n);
  const events = await appendLog(infra.eventStore, log);
  const poison = events.find((e) => e.eventId === bad.eventId)!;
  return { infra, tenant, a, bad, events, poison };
}

t.test('a held tenant whose event still cannot be applied stays held', async (t) => {
  const { infra, tenant, a, bad, events } = await tenantWithUnappliableEvent(t);

  const runner = startRunner(infra);
  await runner.start();
  await reaches(infra, events.at(-1)!.position);
  t.match(await heldRows(infra), [{ tenant_id: tenant, event_id: bad.eventId, attempts: 1 }]);
  await runner.stop();

  const again = startRunner(infra);
  await again.start();
  await eventually('the replay tried again', async () => {
    return (await heldRows(infra))[0]?.attempts === 2;
  });
  t.equal(again.status().status, 'running');
  t.equal(again.status().heldTenants, 1);
  t.equal(await balanceOf(infra, tenant, a), '10', 'nothing past the bad event');
  await again.stop();
});

t.test('past maxHeldTenants the projection fails as a whole', async (t) => {
  const { infra, poison } = await tenantWithUnappliableEvent(t);

  const runner = startRunner(infra, { maxHeldTenants: 0 });
  await runner.start();
  await runner.done;
  t.equal(runner.status().status, 'failed');
  t.equal((await checkpointOf(infra))?.position, poison.position - 1n);
  t.same(await heldRows(infra), [], 'nobody held');
});

t.test('a tenant held after the start is retried every heldRetryMs', async (t) => {
  const infra = await createInfra();
  t.teardown(() => infra.close());
  const log = new EventLog();
  const [tenant, other] = [randomUUID(), randomUUID()];
  const [a, b] = [randomUUID(), randomUUID()];
  log.open(tenant, a);
  log.open(other, b);
  log.deposit(tenant, a, 10n);
  const first = await appendLog(infra.eventStore, log);
  const state = { broken: true };
  const bad = log.deposit(tenant, a, 20n);
  const runner = startRunner(
    infra,
    { heldRetryMs: 300, maxAttempts: 1 },
    failingOn(bad.eventId, state),
  );
  await runner.start();
  await reaches(infra, first.at(-1)!.position);
  // The start's replay found nobody held; the tenant is held only now.
  log.deposit(other, b, 5n);
  const more = await appendLog(infra.eventStore, log);
  await reaches(infra, more.at(-1)!.position);
  t.equal((await heldRows(infra)).length, 1, 'held after the start');
  state.broken = false; // the cause goes away (a deploy, a lock that timed out)
  await eventually('released by a later replay', async () => (await heldRows(infra)).length === 0);
  t.equal(await balanceOf(infra, tenant, a), '30');
  await runner.stop();
});
