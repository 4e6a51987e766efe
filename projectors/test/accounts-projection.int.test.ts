import { randomUUID } from 'node:crypto';
import { externalAccountId, tenantSchema } from '@techflow/platform';
import { sql } from 'kysely';
import t from 'tap';
import { accountsProjection } from '../src/projections/accounts.js';
import { createProjectionDb, type ProjectionDb } from './support/database.js';
import { EventLog } from './support/events.js';
import { given } from './support/given.js';
import { expectTenant, readTenant } from './support/read-model.js';

let pdb: ProjectionDb;
t.before(async () => {
  pdb = await createProjectionDb();
});
t.teardown(() => pdb.close());

const spec = (past: Parameters<typeof given>[2]) => given(pdb.db, accountsProjection, past);

t.test('a new account', async (t) => {
  const log = new EventLog();
  const tenant = randomUUID();
  const account = randomUUID();
  await spec([])
    .when([log.open(tenant, account, 'EUR', 'Savings')])
    .then(async () => {
      const row = await pdb.db
        .withSchema(tenantSchema(tenant))
        .selectFrom('accounts')
        .selectAll()
        .where('account_id', '=', account)
        .executeTakeFirstOrThrow();
      t.match(row, {
        name: 'Savings',
        currency: 'EUR',
        kind: 'customer',
        balance: '0',
        available: '0',
        status: 'open',
        allow_overdraft: false,
        revision: '0',
        opened_position: '1',
        position: '1',
      });
      t.ok(row.created_at instanceof Date, 'created_at is the event time');
      const tenants = await sql<{ schema_name: string }>`
        select schema_name from projections.tenants where tenant_id = ${tenant}`.execute(pdb.db);
      t.same(tenants.rows, [{ schema_name: tenantSchema(tenant) }], 'the tenant is registered');
    });
});

t.test('an account with deposits and withdrawals', async (t) => {
  const log = new EventLog();
  const tenant = randomUUID();
  const a = randomUUID();
  const past = [log.open(tenant, a), log.deposit(tenant, a, 1000n)];
  const now = [log.withdraw(tenant, a, 300n), log.deposit(tenant, a, 50n)];
  await spec(past)
    .when(now)
    .then(async () => {
      const got = await readTenant(pdb.db, tenant);
      const want = expectTenant(log.events, tenant);
      t.same(got.accounts, want.accounts, 'balances, revisions and positions');
      t.same(got.entries, want.entries, 'one signed statement line per movement');
      t.same(
        got.entries.map((e) => [e.kind, e.amount, e.balanceAfter, e.counterpartBalanceAfter]),
        [
          // The external account's balance after each line continues across batches (the
          // deposit of 1000 was applied in an earlier one).
          ['deposit', '1000', '1000', '-1000'],
          ['withdrawal', '-300', '700', '-700'],
          ['deposit', '50', '750', '-750'],
        ],
      );
    });
});

t.test('per tenant and currency every balance, external included, sums to zero', async (t) => {
  const log = new EventLog();
  const tenant = randomUUID();
  const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
  const events = [
    log.open(tenant, a, 'EUR'),
    log.open(tenant, b, 'EUR'),
    log.open(tenant, c, 'USD'),
    log.deposit(tenant, a, 500n, 'EUR'),
    log.deposit(tenant, b, 250n, 'EUR'),
    log.withdraw(tenant, a, 100n, 'EUR'),
    log.deposit(tenant, c, 77n, 'USD'),
  ];
  await spec(events.slice(0, 4))
    .when(events.slice(4))
    .then(async () => {
      const sums = await sql<{ currency: string; total: string; externals: string }>`
        select currency, sum(balance)::text as total,
          count(*) filter (where kind = 'external')::text as externals
        from ${sql.id(tenantSchema(tenant), 'accounts')} group by currency order by currency
      `.execute(pdb.db);
      t.same(sums.rows, [
        { currency: 'EUR', total: '0', externals: '1' },
        { currency: 'USD', total: '0', externals: '1' },
      ]);
      const ext = await pdb.db
        .withSchema(tenantSchema(tenant))
        .selectFrom('accounts')
        .select(['balance', 'name'])
        .where('account_id', '=', externalAccountId(tenant, 'EUR'))
        .executeTakeFirstOrThrow();
      t.same(ext, { balance: '-650', name: 'External settlement EUR' });
    });
});

t.test('freeze, unfreeze and close', async (t) => {
  const log = new EventLog();
  const tenant = randomUUID();
  const [a, b] = [randomUUID(), randomUUID()];
  const past = [log.open(tenant, a), log.open(tenant, b)];
  await spec(past)
    .when([
      log.status(tenant, a, 'AccountFrozen'),
      log.status(tenant, b, 'AccountFrozen'),
      log.status(tenant, b, 'AccountUnfrozen'),
      log.status(tenant, b, 'AccountClosed'),
    ])
    .then(async () => {
      const got = await readTenant(pdb.db, tenant);
      t.same(got.accounts, expectTenant(log.events, tenant).accounts);
      const byId = new Map(got.accounts.map((x) => [x.accountId, x.status]));
      t.equal(byId.get(a), 'frozen');
      t.equal(byId.get(b), 'closed');
    });
});

t.test('an account opened and used within one batch', async (t) => {
  const log = new EventLog();
  const tenant = randomUUID();
  const a = randomUUID();
  await spec([])
    .when([
      log.open(tenant, a),
      log.deposit(tenant, a, 10n),
      log.status(tenant, a, 'AccountFrozen'),
    ])
    .then(async () => {
      const got = await readTenant(pdb.db, tenant);
      t.same(got, { ...expectTenant(log.events, tenant), members: [] });
    });
});

t.test('tenants are kept apart, each in its own schema', async (t) => {
  const log = new EventLog();
  const [t1, t2] = [randomUUID(), randomUUID()];
  const [a1, a2] = [randomUUID(), randomUUID()];
  await spec([])
    .when([log.open(t1, a1), log.open(t2, a2), log.deposit(t1, a1, 5n), log.deposit(t2, a2, 7n)])
    .then(async () => {
      const one = await readTenant(pdb.db, t1);
      const two = await readTenant(pdb.db, t2);
      t.same(one.accounts, expectTenant(log.events, t1).accounts);
      t.same(two.accounts, expectTenant(log.events, t2).accounts);
      t.notOk(
        one.accounts.some((x) => x.accountId === a2),
        "no other tenant's account",
      );
    });
});

t.test('an organization and its members', async (t) => {
  const log = new EventLog();
  const tenant = randomUUID();
  const owner = randomUUID();
  const other = randomUUID();
  await spec([
    log.record(tenant, 'organization', tenant, 'OrganizationCreated', {
      tenantId: tenant,
      name: 'Acme',
      ownerUserId: owner,
    }),
    log.record(tenant, 'organization', tenant, 'MemberAdded', {
      userId: owner,
      email: 'o@acme.test',
      name: 'Olga',
      role: 'owner',
    }),
  ])
    .when([
      log.record(tenant, 'organization', tenant, 'MemberAdded', {
        userId: other,
        email: 'm@acme.test',
        name: 'Max',
        role: 'auditor',
      }),
    ])
    .then(async () => {
      const got = await readTenant(pdb.db, tenant);
      t.same(
        got.members,
        [
          { userId: owner, role: 'owner', email: 'o@acme.test' },
          { userId: other, role: 'auditor', email: 'm@acme.test' },
        ].sort((x, y) => (x.userId < y.userId ? -1 : 1)),
      );
      const org = await pdb.db
        .withSchema(tenantSchema(tenant))
        .selectFrom('organization')
        .select(['name', 'owner_user_id'])
        .executeTakeFirstOrThrow();
      t.same(org, { name: 'Acme', owner_user_id: owner });
    });
});

t.test('a deposit to an account it never saw opened fails the batch', async (t) => {
  const log = new EventLog();
  const tenant = randomUUID();
  const known = randomUUID();
  await spec([log.open(tenant, known)])
    .when([])
    .then(async () => {
      await t.rejects(
        pdb.db
          .transaction()
          .execute((trx) => accountsProjection.apply(trx, [log.deposit(tenant, randomUUID(), 5n)])),
        { name: 'AccountNotProjected', message: /1 of 1 accounts not found/ },
      );
      const got = await readTenant(pdb.db, tenant);
      t.equal(got.entries.length, 0, 'nothing of the failed batch stayed');
    });
});
