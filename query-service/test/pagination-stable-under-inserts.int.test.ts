import { randomUUID } from 'node:crypto';
import t from 'tap';
import { startQueryService } from './helpers/harness.js';
import { accountRow, insertAccounts, insertEntries } from './helpers/read-models.js';

interface Page {
  items: Array<{ accountId?: string; entryId?: string }>;
  nextCursor: string | null;
}

t.test('paging neither repeats nor skips while rows are being inserted', async (t) => {
  const { app, db, newTenant, bearer } = await startQueryService(t);
  const tenantId = await newTenant();
  const headers = bearer({ tenantId, userId: randomUUID(), role: 'member' });

  t.test('accounts: later openings land after every page already served', async (t) => {
    // Opened positions with gaps, and two accounts sharing one position (the id breaks ties).
    const before = Array.from({ length: 7 }, (_, i) => ({
      id: randomUUID(),
      position: String(i === 3 ? 30 : (i + 1) * 10),
    }));
    await insertAccounts(
      db,
      tenantId,
      before.map((a) => accountRow({ account_id: a.id, opened_position: a.position })),
    );
    const seen: string[] = [];
    const added: string[] = [];
    let cursor: string | null = null;
    let round = 0;
    do {
      const res = await app.inject({
        url: '/v1/accounts',
        query: { limit: '3', ...(cursor ? { cursor } : {}) },
        headers,
      });
      t.equal(res.statusCode, 200);
      const page: Page = res.json();
      seen.push(...page.items.map((a) => a.accountId!));
      cursor = page.nextCursor;
      // Between pages, the projector opens two more accounts.
      if (round < 2) {
        const fresh = [randomUUID(), randomUUID()];
        added.push(...fresh);
        await insertAccounts(
          db,
          tenantId,
          fresh.map((id, i) =>
            accountRow({ account_id: id, opened_position: String(100 + round * 10 + i) }),
          ),
        );
      }
      round += 1;
    } while (cursor);
    const expectedOld = [...before]
      .sort((a, b) => Number(a.position) - Number(b.position) || (a.id < b.id ? -1 : 1))
      .map((a) => a.id);
    t.same(seen, [...expectedOld, ...added], 'every account once, in order, new ones last');
    t.equal(new Set(seen).size, seen.length, 'no repeats');
  });

  t.test('entries: newer lines land before the pages already served', async (t) => {
    const accountId = randomUUID();
    await insertAccounts(db, tenantId, [
      accountRow({ account_id: accountId, opened_position: '500' }),
    ]);
    let position = 500;
    const entry = () => {
      position += 1;
      return {
        entry_id: randomUUID(),
        account_id: accountId,
        position: String(position),
        kind: 'deposit' as const,
        amount: '1',
        balance_after: String(position - 500),
        transfer_id: null,
        reference: null,
        at: new Date(Date.UTC(2025, 0, 1, 0, 0, position - 500)),
      };
    };
    const old = Array.from({ length: 8 }, entry);
    await insertEntries(db, tenantId, old);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await app.inject({
        url: `/v1/accounts/${accountId}/entries`,
        query: { limit: '3', ...(cursor ? { cursor } : {}) },
        headers,
      });
      const page: Page = res.json();
      seen.push(...page.items.map((e) => e.entryId!));
      cursor = page.nextCursor;
      await insertEntries(db, tenantId, [entry()]);
    } while (cursor);
    t.same(
      seen,
      old.map((e) => e.entry_id).reverse(),
      'exactly the lines that existed, newest first',
    );
  });
});
