import { randomUUID } from 'node:crypto';
import {
  createKysely,
  createPostgresEventStore,
  migrateEventStore,
  migrateProjections,
  tenantSchema,
} from '@techflow/platform';
import { createTestDatabase, tableScans } from '@techflow/platform/testing';
import t from 'tap';
import { createProjectorsPool } from '../src/pool.js';
import type { ReadModelDatabase } from '../src/projection.js';
import { accountsProjection } from '../src/projections/accounts.js';
import { checkpointMove, loadCheckpoint } from '../src/runner/checkpoints.js';
import { appendLog } from './support/append.js';
import { EventLog } from './support/events.js';
import { expectTenant, readTenant } from './support/read-model.js';

// A live batch's statement joins the accounts it touches to the tenant's table. Postgres plans
// a prepared statement once per session: a plan made while the table was small scans it whole,
// and without keyed plans the session kept that plan after the table grew (seen: a hash join
// over a sequential scan of accounts, in the generic plan of a 20-account table).
t.test("a batch's statement looks accounts up by key however many the tenant has", async (t) => {
  const database = await createTestDatabase('tf_proj_plans');
  // One connection, the projectors' own settings: every batch runs in the session whose plan
  // is cached.
  const pool = createProjectorsPool(database.url, { max: 1, role: 'test' });
  const db = createKysely<ReadModelDatabase>(pool, { prepare: true });
  t.teardown(async () => {
    await db.destroy();
    await database.drop();
  });
  await migrateEventStore(pool);
  await migrateProjections(pool);
  const store = createPostgresEventStore(pool);
  t.teardown(() => store.close());

  const tenant = randomUUID();
  const accounts: string[] = Array.from({ length: 10 }, () => randomUUID());
  const log = new EventLog();
  const all: Awaited<ReturnType<typeof appendLog>> = [];
  await loadCheckpoint(db, accountsProjection);
  let at = 0n;
  const apply = async () => {
    const events = await appendLog(store, log);
    all.push(...events);
    await accountsProjection.prepare?.(db, events);
    const to = events.at(-1)!.position;
    const { name, version } = accountsProjection;
    const statement = accountsProjection.applyInOneStatement?.(
      events,
      checkpointMove({ name, version, from: at, to }),
    );
    if (!statement) throw new Error('expected one statement');
    await statement(db);
    at = to;
  };
  for (const account of accounts) log.open(tenant, account);
  await apply();
  const round = async () => {
    for (const account of accounts) log.deposit(tenant, account, 5n);
    await apply();
  };
  // Enough batches while the table is small for the session to keep a generic plan.
  for (let i = 0; i < 10; i++) await round();
  const schema = tenantSchema(tenant);
  await pool.query(
    `insert into "${schema}".accounts (account_id, name, currency, kind, balance, available,
       pending, status, allow_overdraft, revision, opened_position, position, created_at,
       updated_at)
     select gen_random_uuid(), 'filler', 'EUR', 'customer', 0, 0, 0, 'open', false, 0, 0, 0,
       now(), now()
       from generate_series(1, 20000)`,
  );
  const fillers = new Set(
    (
      await pool.query<{ id: string }>(
        `select account_id::text id from "${schema}".accounts where name = 'filler'`,
      )
    ).rows.map((r) => r.id),
  );
  const before = await tableScans(pool, schema, 'accounts');
  for (let i = 0; i < 10; i++) await round();
  const after = await tableScans(pool, schema, 'accounts');
  t.equal(after.seq - before.seq, 0, 'no batch scanned the accounts table');
  t.ok(after.idx - before.idx >= 100, `accounts were found by key (${after.idx - before.idx})`);
  // The read model is right, fillers aside.
  const real = (a: { accountId: string }) => !fillers.has(a.accountId);
  const model = await readTenant(db, tenant);
  t.same(
    model.accounts.filter(real),
    expectTenant(all, tenant).accounts,
    'and the read model is right',
  );
});
