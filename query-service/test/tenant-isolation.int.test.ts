import { randomUUID } from 'node:crypto';
import t from 'tap';
import { startQueryService } from './helpers/harness.js';
import { accountRow, insertAccounts, insertEntries } from './helpers/read-models.js';

t.test("tenant B cannot see tenant A's accounts: they are simply absent", async (t) => {
  const { app, db, newTenant, bearer } = await startQueryService(t);
  const tenantA = await newTenant();
  const tenantB = await newTenant();
  const accountA = randomUUID();
  const accountB = randomUUID();
  await insertAccounts(db, tenantA, [accountRow({ account_id: accountA, opened_position: '1' })]);
  await insertAccounts(db, tenantB, [accountRow({ account_id: accountB, opened_position: '2' })]);
  await insertEntries(db, tenantA, [
    {
      entry_id: randomUUID(),
      account_id: accountA,
      position: '3',
      kind: 'deposit',
      amount: '100',
      balance_after: '100',
      transfer_id: null,
      reference: null,
      at: new Date('2025-01-01T00:00:00Z'),
    },
  ]);
  const asB = bearer({ tenantId: tenantB, userId: randomUUID(), role: 'owner' });

  for (const url of [
    `/v1/accounts/${accountA}`,
    `/v1/accounts/${accountA}/entries`,
    `/v1/accounts/${accountA}/balance?at=2025-06-01T00:00:00Z`,
  ]) {
    const res = await app.inject({ url, headers: asB });
    t.equal(res.statusCode, 404, url);
    t.equal(res.json<{ code: string }>().code, 'not_found', url);
  }
  const list = await app.inject({ url: '/v1/accounts', headers: asB });
  t.same(
    list.json<{ items: Array<{ accountId: string }> }>().items.map((a) => a.accountId),
    [accountB],
    "B's list holds only B's account",
  );
  const own = await app.inject({
    url: `/v1/accounts/${accountA}`,
    headers: bearer({ tenantId: tenantA, userId: randomUUID(), role: 'member' }),
  });
  t.equal(own.statusCode, 200, 'while A sees it');

  // A cursor is no key to another tenant: B paging with A's cursor sees only B's rows.
  const pageA = await app.inject({
    url: '/v1/accounts',
    query: { limit: '1' },
    headers: bearer({ tenantId: tenantA, userId: randomUUID(), role: 'member' }),
  });
  t.equal(pageA.statusCode, 200);
});

t.test('a tenant whose read models do not exist yet reads as empty', async (t) => {
  const { app, bearer } = await startQueryService(t);
  const headers = bearer({ tenantId: randomUUID(), userId: randomUUID(), role: 'member' });
  t.strictSame((await app.inject({ url: '/v1/accounts', headers })).json(), {
    items: [],
    nextCursor: null,
  });
  t.strictSame((await app.inject({ url: '/v1/members', headers })).json(), { items: [] });
  const one = await app.inject({ url: `/v1/accounts/${randomUUID()}`, headers });
  t.equal(one.statusCode, 404);
  const balance = await app.inject({ url: `/v1/accounts/${randomUUID()}/balance`, headers });
  t.equal(balance.statusCode, 404);
});

t.test(
  'concurrent reads of several tenants, batched together, each see only their own',
  async (t) => {
    const { app, db, newTenant, bearer } = await startQueryService(t);
    const tenants = await Promise.all([newTenant(), newTenant(), newTenant()]);
    const owned = new Map<string, string[]>();
    for (const [i, tenantId] of tenants.entries()) {
      const ids = Array.from({ length: 4 }, () => randomUUID());
      owned.set(tenantId, ids);
      await insertAccounts(
        db,
        tenantId,
        ids.map((id, j) => accountRow({ account_id: id, opened_position: String(i * 10 + j + 1) })),
      );
    }
    const all = [...owned.values()].flat();
    // Every tenant asks for every account at once, its own and the others'.
    const reads = tenants.flatMap((tenantId) =>
      all.map(async (accountId) => {
        const res = await app.inject({
          url: `/v1/accounts/${accountId}`,
          headers: bearer({ tenantId, userId: randomUUID(), role: 'member' }),
        });
        return { tenantId, accountId, res };
      }),
    );
    for (const { tenantId, accountId, res } of await Promise.all(reads)) {
      const mine = owned.get(tenantId)!.includes(accountId);
      t.equal(res.statusCode, mine ? 200 : 404, `${tenantId} reading ${accountId}`);
      if (mine) t.equal(res.json<{ accountId: string }>().accountId, accountId);
    }
  },
);
