import { randomUUID } from 'node:crypto';
import { ACCOUNTS_PROJECTION, tenantSchema } from '@techflow/platform';
import { sql } from 'kysely';
import t from 'tap';
import { accountsProjection } from '../src/projections/accounts.js';
import { resetIfOtherVersion } from '../src/runner/checkpoints.js';
import { appendLog } from './support/append.js';
import { EventLog } from './support/events.js';
import { createInfra, eventually, type Infra } from './support/infra.js';
import { publishEvents } from './support/publish.js';
import { expectTenant, readTenant } from './support/read-model.js';
import { checkpointOf, reaches, startRunner } from './support/runner.js';

let infra: Infra;
t.before(async () => {
  infra = await createInfra();
});
t.teardown(() => infra.close());

const storedVersion = async () =>
  (
    await infra.db
      .selectFrom('projections.checkpoints')
      .select('version')
      .where('name', '=', ACCOUNTS_PROJECTION)
      .executeTakeFirstOrThrow()
  ).version;

t.test('a read model built by another projection version is rebuilt from the store', async (t) => {
  const log = new EventLog();
  const tenants = [randomUUID(), randomUUID()];
  const accounts = tenants.map((tenant) => {
    const [a, b] = [randomUUID(), randomUUID()];
    log.open(tenant, a);
    log.open(tenant, b);
    for (let i = 1; i <= 40; i++) log.deposit(tenant, i % 3 ? a : b, BigInt(i));
    log.withdraw(tenant, a, 7n);
    log.status(tenant, b, 'AccountFrozen');
    return a;
  });
  const events = await appendLog(infra.eventStore, log);
  const head = events.at(-1)!.position;

  const first = startRunner(infra);
  await first.start();
  await reaches(infra, head);
  await first.stop();

  // What an older version might have left: a wrong balance, a missing line, a stray row,
  // and a checkpoint at the head that claims all of it is applied.
  const [tenant, account] = [tenants[0]!, accounts[0]!];
  const schema = tenantSchema(tenant);
  await sql`update ${sql.id(schema, 'accounts')} set balance = 999999 where account_id = ${account}`.execute(
    infra.db,
  );
  await sql`delete from ${sql.id(schema, 'account_entries')}
    where position = (select min(position) from ${sql.id(schema, 'account_entries')} where kind = 'deposit')`.execute(
    infra.db,
  );
  await sql`insert into ${sql.id(schema, 'members')} (user_id, email, name, role, position)
    values (${randomUUID()}, 'ghost@example.test', 'Ghost', 'member', 1)`.execute(infra.db);
  await infra.db
    .updateTable('projections.checkpoints')
    .set({ version: accountsProjection.version - 1 })
    .where('name', '=', ACCOUNTS_PROJECTION)
    .execute();
  t.notSame(
    (await readTenant(infra.db, tenant)).accounts,
    expectTenant(events, tenant).accounts,
    'the stored model is wrong before the restart',
  );

  const second = startRunner(infra);
  await second.start();
  await eventually('the rebuild to finish', async () => {
    const cp = await checkpointOf(infra);
    return cp?.status === 'running' && cp.position >= head;
  });
  t.equal(await storedVersion(), accountsProjection.version, 'stored at the code’s version');
  t.equal(second.status().status, 'running');
  for (const id of tenants) {
    const got = await readTenant(infra.db, id);
    const want = expectTenant(events, id);
    t.same(got.accounts, want.accounts, `tenant ${id}: accounts as the store folds them`);
    t.same(got.entries, want.entries, `tenant ${id}: every line once`);
    t.same(got.members, [], `tenant ${id}: no stray member (the log adds none)`);
  }
  await second.stop();
});

t.test('of processes starting together, one resets', async (t) => {
  await infra.db
    .updateTable('projections.checkpoints')
    .set({ version: accountsProjection.version - 1, position: '5' })
    .where('name', '=', ACCOUNTS_PROJECTION)
    .execute();
  // What the resets did, counted in the database: the losers' work is rolled back.
  await sql`create table projections.reset_probe (n int not null)`.execute(infra.db);
  await sql`insert into projections.reset_probe values (0)`.execute(infra.db);
  t.teardown(() => sql`drop table projections.reset_probe`.execute(infra.db));
  const reset = async (trx: Parameters<NonNullable<typeof accountsProjection.reset>>[0]) => {
    await sql`lock table projections.reset_probe in access exclusive mode`.execute(trx);
    await sql`update projections.reset_probe set n = n + 1`.execute(trx);
  };
  const outcomes = await Promise.all(
    Array.from({ length: 4 }, () => resetIfOtherVersion(infra.db, accountsProjection, reset)),
  );
  t.same(outcomes.filter((o) => o === 'reset').length, 1, 'one resets');
  const probe = await sql<{ n: number }>`select n from projections.reset_probe`.execute(infra.db);
  t.equal(probe.rows[0]?.n, 1, 'the read model is cleared once');
  t.same(await checkpointOf(infra), { position: 0n, status: 'rebuilding', last_error: null });
});

t.test(
  'a reset while an older runner applies batches neither deadlocks nor is undone',
  async (t) => {
    const older = { ...accountsProjection, version: accountsProjection.version - 1 };
    const tenant = randomUUID();
    const account = randomUUID();
    const log = new EventLog();
    log.open(tenant, account);
    await appendLog(infra.eventStore, log);
    // Postgres breaks a deadlock by cancelling either side; the runner's side retries
    // quietly, so the count is what shows one happened.
    const deadlocks = async () => {
      await sql`select pg_stat_clear_snapshot()`.execute(infra.db);
      const r = await sql<{ n: string }>`select deadlocks::text as n from pg_stat_database
        where datname = current_database()`.execute(infra.db);
      return Number(r.rows[0]?.n);
    };
    const deadlocksBefore = await deadlocks();
    for (let round = 0; round < 4; round++) {
      await infra.db
        .updateTable('projections.checkpoints')
        .set({ version: older.version, status: 'running' })
        .where('name', '=', ACCOUNTS_PROJECTION)
        .execute();
      const runner = startRunner(infra, { maxBatch: 5, coalesceMs: 0 }, older);
      await runner.start();
      // A steady stream of small batches, so the reset lands while one holds its locks.
      let feeding = true;
      const feed = (async () => {
        while (feeding) {
          for (let i = 0; i < 5; i++) log.deposit(tenant, account, 1n);
          const events = await appendLog(infra.eventStore, log);
          await publishEvents(infra.js, infra.nats.subjectPrefix, events);
        }
      })();
      await new Promise((r) => setTimeout(r, 150));
      // The reset takes its time (a big model truncates for a while), so batches keep
      // arriving during it: with the checkpoint row locked first, one would hold its tables
      // and wait for the row while the reset waits for the tables.
      const outcome = await resetIfOtherVersion(infra.db, accountsProjection, async (trx) => {
        await new Promise((r) => setTimeout(r, 200));
        await accountsProjection.reset!(trx);
      });
      feeding = false;
      await feed;
      t.equal(outcome, 'reset', `round ${round}: reset, no deadlock`);
      await runner.stop();
      t.equal(
        (await checkpointOf(infra))?.status,
        'rebuilding',
        `round ${round}: the older runner's stop did not overwrite the new model's status`,
      );
      t.equal(await storedVersion(), accountsProjection.version);
    }
    // Statistics reach the view after a moment.
    await new Promise((r) => setTimeout(r, 1000));
    t.equal(await deadlocks(), deadlocksBefore, 'no deadlock');
  },
);
