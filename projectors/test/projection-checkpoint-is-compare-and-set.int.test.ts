import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ACCOUNTS_PROJECTION, type RecordedEvent, tenantSchema } from '@techflow/platform';
import { sql } from 'kysely';
import t, { type Test } from 'tap';
import { accountsProjection, TENANT_TABLES } from '../src/projections/accounts.js';
import { appendLog } from './support/append.js';
import { EventLog } from './support/events.js';
import { createInfra, type Infra } from './support/infra.js';
import { publishEvents } from './support/publish.js';
import { expectTenant, readTenant } from './support/read-model.js';
import { checkpointOf, reaches, startRunner } from './support/runner.js';

let infra: Infra;
t.before(async () => {
  infra = await createInfra();
});
t.teardown(() => infra.close());

const deadLetters = () => infra.db.selectFrom('projections.dead_letters').selectAll().execute();

async function checkTenants(t: Test, events: readonly RecordedEvent[], tenants: string[]) {
  for (const tenant of tenants) {
    const got = await readTenant(infra.db, tenant);
    const want = expectTenant(events, tenant);
    t.same(got.accounts, want.accounts, 'accounts as the store folds them');
    t.same(got.entries, want.entries, 'every line once');
  }
}

t.test('two runners of one projection at once: each batch is written by one of them', async (t) => {
  const log = new EventLog();
  const tenants = [randomUUID(), randomUUID()];
  const accounts = tenants.map((tenant) => {
    const id = randomUUID();
    log.open(tenant, id);
    return id;
  });
  const events = await appendLog(infra.eventStore, log);
  // Both on the one durable consumer, with small batches, so their batches interleave.
  const a = startRunner(infra, { maxBatch: 20 });
  const b = startRunner(infra, { maxBatch: 20 });
  await Promise.all([a.start(), b.start()]);
  await publishEvents(infra.js, infra.nats.subjectPrefix, events);

  let highest = 0n;
  const backwards: string[] = [];
  let watching = true;
  const watch = (async () => {
    while (watching) {
      const cp = await checkpointOf(infra);
      if (cp && cp.position < highest) backwards.push(`${highest} -> ${cp.position}`);
      if (cp && cp.position > highest) highest = cp.position;
      await sleep(5);
    }
  })();
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 30; i++) log.deposit(tenants[i % 2]!, accounts[i % 2]!, BigInt(i + 1));
    const more = await appendLog(infra.eventStore, log);
    events.push(...more);
    await publishEvents(infra.js, infra.nats.subjectPrefix, more);
  }
  await reaches(infra, events.at(-1)!.position);
  watching = false;
  await watch;
  t.same(backwards, [], 'the checkpoint never moved back');
  t.same(await deadLetters(), [], 'nothing was dead-lettered');
  t.not(a.status().status, 'failed');
  t.not(b.status().status, 'failed');
  await checkTenants(t, events, tenants);
  await Promise.all([a.stop(), b.stop()]);
});

t.test(
  'a lost suffix (Postgres crashed before asynchronous commits reached disk) is written again',
  async (t) => {
    const log = new EventLog();
    const tenant = randomUUID();
    const account = randomUUID();
    log.open(tenant, account);
    for (let i = 1; i <= 30; i++) log.deposit(tenant, account, BigInt(i));
    const events = await appendLog(infra.eventStore, log);
    const runner = startRunner(infra, { maxBatch: 10 });
    await runner.start();
    await reaches(infra, events.at(-1)!.position);

    // What such a crash leaves: the tenant's rows and the checkpoint as they were after an
    // earlier batch, while the running runner believes the later ones written.
    const kept = events.slice(0, 21);
    const schema = tenantSchema(tenant);
    await infra.db.transaction().execute(async (trx) => {
      const tables = TENANT_TABLES.map((table) => sql.id(schema, table));
      await sql`truncate ${sql.join(tables)}`.execute(trx);
      await accountsProjection.apply(trx, kept);
      await trx
        .updateTable('projections.checkpoints')
        .set({ position: String(kept.at(-1)!.position) })
        .where('name', '=', ACCOUNTS_PROJECTION)
        .execute();
    });
    t.notSame(
      (await readTenant(infra.db, tenant)).entries,
      expectTenant(events, tenant).entries,
      'the last lines are gone',
    );

    for (let i = 1; i <= 5; i++) log.deposit(tenant, account, 100n);
    const more = await appendLog(infra.eventStore, log);
    events.push(...more);
    await publishEvents(infra.js, infra.nats.subjectPrefix, more);
    await reaches(infra, events.at(-1)!.position);
    t.same(await deadLetters(), [], 'nothing was dead-lettered');
    t.equal(runner.status().status, 'running');
    await checkTenants(t, events, [tenant]);
    await runner.stop();
  },
);

t.test('code older than the stored model does not start, and touches nothing', async (t) => {
  const before = await checkpointOf(infra);
  const older = { ...accountsProjection, version: accountsProjection.version - 1 };
  const runner = startRunner(infra, {}, older);
  await runner.start();
  await runner.done;
  t.equal(runner.status().status, 'failed', 'not ready: nothing projects here');
  t.match(runner.status().lastError, /owns its read model/);
  t.same(await checkpointOf(infra), before, 'the checkpoint and its status are as they were');
  const stored = await infra.db
    .selectFrom('projections.checkpoints')
    .select('version')
    .where('name', '=', ACCOUNTS_PROJECTION)
    .executeTakeFirstOrThrow();
  t.equal(stored.version, accountsProjection.version, 'not reset to the older version');
});

t.test('a runner stopped while it starts never runs', async (t) => {
  const runner = startRunner(infra);
  const starting = runner.start();
  await runner.stop();
  await starting;
  t.equal(runner.status().status, 'stopped');
  const before = await checkpointOf(infra);
  const log = new EventLog();
  const tenant = randomUUID();
  log.open(tenant, randomUUID());
  const events = await appendLog(infra.eventStore, log);
  await publishEvents(infra.js, infra.nats.subjectPrefix, events);
  // Nothing may apply them; a running runner would within its first idle tick (250 ms).
  await sleep(1000);
  t.same(await checkpointOf(infra), before, 'the checkpoint did not move');
});
