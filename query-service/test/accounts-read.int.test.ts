import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ACCOUNTS_PROJECTION, mirrorEntryId, tenantSchema } from '@techflow/platform';
import { sql } from 'kysely';
import t from 'tap';
import { encodeCursor } from '../src/read-models/cursor.js';
import { startQueryService } from './helpers/harness.js';
import { accountRow, insertAccounts, insertEntries } from './helpers/read-models.js';

interface AccountItem {
  accountId: string;
  name: string;
  currency: string;
  balance: string;
  available: string;
  pending: string;
  status: string;
  allowOverdraft: boolean;
  updatedAt: string;
  kind: string;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface EntryItem {
  entryId: string;
  position: string;
  kind: string;
  amount: string;
  balanceAfter: string;
  transferId?: string;
  reference?: string;
  at: string;
}

t.test("reads a tenant's accounts, entries and balances from its read models", async (t) => {
  const { app, db, newTenant, bearer, advance, checkpoints, setHead } = await startQueryService(t);
  const tenantId = await newTenant();
  const headers = bearer({ tenantId, userId: randomUUID(), role: 'member' });
  const ids = Array.from({ length: 5 }, () => randomUUID());
  await insertAccounts(db, tenantId, [
    accountRow({
      account_id: ids[0]!,
      opened_position: '10',
      balance: '700',
      available: '500',
      pending: '200',
    }),
    accountRow({ account_id: ids[1]!, opened_position: '20', currency: 'USD' }),
    accountRow({ account_id: ids[2]!, opened_position: '30', status: 'frozen' }),
    accountRow({
      account_id: ids[3]!,
      opened_position: '40',
      kind: 'external',
      balance: '-700',
      available: '-700',
    }),
    accountRow({ account_id: ids[4]!, opened_position: '50', allow_overdraft: true }),
  ]);
  await advance(100n);

  t.test('the list answers every account in opening order, with the API shape', async (t) => {
    const res = await app.inject({ url: '/v1/accounts', headers });
    t.equal(res.statusCode, 200);
    const body = res.json<Page<AccountItem>>();
    t.same(
      body.items.map((a) => a.accountId),
      ids,
    );
    t.equal(body.nextCursor, null);
    t.strictSame(body.items[0], {
      accountId: ids[0],
      name: body.items[0]!.name,
      currency: 'EUR',
      balance: '700',
      available: '500',
      pending: '200',
      status: 'open',
      allowOverdraft: false,
      updatedAt: body.items[0]!.updatedAt,
      kind: 'customer',
    });
    t.match(body.items[0]!.updatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    t.equal(body.items[3]!.balance, '-700', 'negative balances keep their sign');
    t.equal(res.headers['x-position'], '100', 'says which checkpoint it was served from');
  });

  t.test('pages by limit and cursor without repeating or skipping', async (t) => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: Record<string, string> = { limit: '2', ...(cursor ? { cursor } : {}) };
      const res = await app.inject({ url: '/v1/accounts', query, headers });
      t.equal(res.statusCode, 200);
      const body: Page<AccountItem> = res.json();
      t.ok(body.items.length <= 2);
      seen.push(...body.items.map((a) => a.accountId));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor);
    t.same(seen, ids);
    t.equal(pages, 3);
  });

  t.test('filters by status, currency and kind', async (t) => {
    const get = async (query: Record<string, string>) =>
      (await app.inject({ url: '/v1/accounts', query, headers }))
        .json<Page<AccountItem>>()
        .items.map((a) => a.accountId);
    t.same(await get({ status: 'frozen' }), [ids[2]]);
    t.same(await get({ currency: 'USD' }), [ids[1]]);
    t.same(await get({ kind: 'external' }), [ids[3]]);
    t.same(await get({ currency: 'EUR', status: 'open', kind: 'customer' }), [ids[0], ids[4]]);
  });

  t.test('one account, with a strong ETag that If-None-Match turns into 304', async (t) => {
    const res = await app.inject({ url: `/v1/accounts/${ids[4]}`, headers });
    t.equal(res.statusCode, 200);
    t.equal(res.json<AccountItem>().accountId, ids[4]);
    t.equal(res.json<AccountItem>().allowOverdraft, true);
    const etag = res.headers.etag;
    t.match(etag, /^"[^"]+"$/, 'strong: not W/');
    const again = await app.inject({
      url: `/v1/accounts/${ids[4]}`,
      headers: { ...headers, 'if-none-match': String(etag) },
    });
    t.equal(again.statusCode, 304);
    t.equal(again.body, '');
    // A 304 has no body: a Content-Length over 0 makes a proxy wait for bytes that never come
    // (the gateway's client failed the request with a length mismatch).
    t.equal(Number(again.headers['content-length'] ?? 0), 0, 'and says so');
    t.equal(again.headers.etag, etag);

    await db
      .withSchema(tenantSchema(tenantId))
      .updateTable('accounts')
      .set({ balance: '5', available: '5', position: '60', updated_at: new Date() })
      .where('account_id', '=', ids[4]!)
      .execute();
    const changed = await app.inject({
      url: `/v1/accounts/${ids[4]}`,
      headers: { ...headers, 'if-none-match': String(etag) },
    });
    t.equal(changed.statusCode, 200, 'a changed row answers in full');
    t.not(changed.headers.etag, etag);
    t.equal(changed.json<AccountItem>().balance, '5');

    // A rebuild by another projection version may read differently at the same position.
    const before = String(changed.headers.etag);
    const version = checkpoints.version(ACCOUNTS_PROJECTION);
    await db
      .updateTable('projections.checkpoints')
      .set({ version: version + 1 })
      .where('name', '=', ACCOUNTS_PROJECTION)
      .execute();
    while (checkpoints.version(ACCOUNTS_PROJECTION) === version) await sleep(20);
    const rebuilt = await app.inject({
      url: `/v1/accounts/${ids[4]}`,
      headers: { ...headers, 'if-none-match': before },
    });
    t.equal(rebuilt.statusCode, 200, 'not 304 across projection versions');
    t.not(rebuilt.headers.etag, before);
  });

  t.test('an unknown account is 404 not_found problem+json', async (t) => {
    for (const url of [
      `/v1/accounts/${randomUUID()}`,
      `/v1/accounts/${randomUUID()}/entries`,
      `/v1/accounts/${randomUUID()}/balance`,
    ]) {
      const res = await app.inject({ url, headers });
      t.equal(res.statusCode, 404, url);
      t.match(res.headers['content-type'], /^application\/problem\+json/);
      t.equal(res.json<{ code: string }>().code, 'not_found');
    }
  });

  t.test('entries newest first, paged on position; balance as of an instant', async (t) => {
    const accountId = ids[0]!;
    const transferId = randomUUID();
    const entryIds = Array.from({ length: 4 }, () => randomUUID());
    await insertEntries(db, tenantId, [
      {
        entry_id: entryIds[0]!,
        account_id: accountId,
        position: '11',
        kind: 'deposit',
        amount: '1000',
        balance_after: '1000',
        counterpart_id: ids[3]!,
        counterpart_balance_after: '-1000',
        transfer_id: null,
        reference: 'salary',
        at: new Date('2025-02-01T10:00:00Z'),
      },
      {
        entry_id: entryIds[1]!,
        account_id: accountId,
        position: '12',
        kind: 'withdrawal',
        amount: '-200',
        balance_after: '800',
        counterpart_id: ids[3]!,
        counterpart_balance_after: '-800',
        transfer_id: null,
        reference: null,
        at: new Date('2025-02-02T10:00:00Z'),
      },
      {
        entry_id: entryIds[2]!,
        account_id: accountId,
        position: '13',
        kind: 'withdrawal',
        amount: '-300',
        balance_after: '500',
        counterpart_id: ids[3]!,
        counterpart_balance_after: '-500',
        transfer_id: transferId,
        reference: null,
        at: new Date('2025-02-03T10:00:00Z'),
      },
      {
        entry_id: entryIds[3]!,
        account_id: accountId,
        position: '14',
        kind: 'deposit',
        amount: '200',
        balance_after: '700',
        counterpart_id: ids[3]!,
        counterpart_balance_after: '-700',
        transfer_id: null,
        reference: null,
        at: new Date('2025-02-04T10:00:00Z'),
      },
    ]);
    await db
      .withSchema(tenantSchema(tenantId))
      .updateTable('accounts')
      .set({ updated_at: new Date('2025-02-05T10:00:00Z') })
      .where('account_id', '=', accountId)
      .execute();

    const first = await app.inject({
      url: `/v1/accounts/${accountId}/entries`,
      query: { limit: '3' },
      headers,
    });
    t.equal(first.statusCode, 200);
    const page1 = first.json<Page<EntryItem>>();
    t.same(
      page1.items.map((e) => e.position),
      ['14', '13', '12'],
    );
    t.strictSame(page1.items[1], {
      entryId: entryIds[2],
      position: '13',
      kind: 'withdrawal',
      amount: '300',
      balanceAfter: '500',
      transferId,
      at: '2025-02-03T10:00:00.000Z',
    });
    t.type(page1.nextCursor, 'string');
    const second = await app.inject({
      url: `/v1/accounts/${accountId}/entries`,
      query: { limit: '3', cursor: page1.nextCursor! },
      headers,
    });
    const page2 = second.json<Page<EntryItem>>();
    t.same(
      page2.items.map((e) => e.position),
      ['11'],
    );
    t.equal(page2.items[0]!.reference, 'salary');
    t.equal(page2.nextCursor, null);

    // A statement's cursor pages only that statement: elsewhere it is refused, not read as a
    // keyset of another list (which would skip that list's rows without a word).
    for (const url of [`/v1/accounts/${ids[1]!}/entries`, '/v1/accounts']) {
      const elsewhere = await app.inject({ url, query: { cursor: page1.nextCursor! }, headers });
      t.equal(elsewhere.statusCode, 400, `${url}: another list's cursor`);
      t.equal(elsewhere.json<{ code: string }>().code, 'validation_failed');
    }
    // With a cursor of its own scope, an unknown account is still 404, not an empty page.
    const unknown = randomUUID();
    const ownScope = encodeCursor(['entries', tenantId, unknown], { position: 12n, id: unknown });
    const missing = await app.inject({
      url: `/v1/accounts/${unknown}/entries`,
      query: { cursor: ownScope },
      headers,
    });
    t.equal(missing.statusCode, 404, 'an unknown account with a cursor');

    const balance = async (at: string) => {
      const res = await app.inject({
        url: `/v1/accounts/${accountId}/balance`,
        query: { at },
        headers,
      });
      t.equal(res.statusCode, 200, at);
      return res.json<{ balance: string; available: string; at: string }>();
    };
    t.strictSame(
      await balance('2025-01-15T00:00:00Z'),
      { balance: '0', available: '0', at: '2025-01-15T00:00:00.000Z' },
      'before the first entry: zero',
    );
    t.strictSame(
      await balance('2025-02-02T10:00:00Z'),
      { balance: '800', available: '800', at: '2025-02-02T10:00:00.000Z' },
      'an entry at exactly that instant counts',
    );
    t.strictSame(
      await balance('2025-02-03T12:00:00+02:00'),
      { balance: '500', available: '500', at: '2025-02-03T10:00:00.000Z' },
      'offsets are honoured',
    );
    t.strictSame(
      await balance('2025-03-01T00:00:00Z'),
      { balance: '700', available: '500', at: '2025-03-01T00:00:00.000Z' },
      'after the last change: the row, holds included',
    );
    const now = await app.inject({ url: `/v1/accounts/${accountId}/balance`, headers });
    t.equal(now.json<{ balance: string }>().balance, '700', 'no instant: now');

    // The settlement account's lines are the other side of its currency's customer lines.
    const external = ids[3]!;
    await db
      .withSchema(tenantSchema(tenantId))
      .updateTable('accounts')
      .set({ updated_at: new Date('2025-02-05T10:00:00Z') })
      .where('account_id', '=', external)
      .execute();
    const externalAt = async (at: string) =>
      (await app.inject({ url: `/v1/accounts/${external}/balance`, query: { at }, headers })).json<{
        balance: string;
      }>().balance;
    t.equal(await externalAt('2025-01-15T00:00:00Z'), '0', 'before any line');
    t.equal(await externalAt('2025-02-02T10:00:00Z'), '-800', 'the other side of 800');
    t.equal(await externalAt('2025-02-04T12:00:00Z'), '-700');
    t.equal(await externalAt('2025-03-01T00:00:00Z'), '-700', 'after its last change: the row');
    const externalLines = await app.inject({
      url: `/v1/accounts/${external}/entries`,
      query: { limit: '3' },
      headers,
    });
    const mirrored = externalLines.json<Page<EntryItem>>();
    t.same(
      mirrored.items.map((e) => [e.position, e.kind, e.amount, e.balanceAfter]),
      [
        ['14', 'withdrawal', '200', '-700'],
        ['13', 'deposit', '300', '-500'],
        ['12', 'deposit', '200', '-800'],
      ],
      'each customer line seen from the other side',
    );
    t.equal(mirrored.items[0]!.entryId, mirrorEntryId(entryIds[3]!), 'an id of its own');
    const rest = await app.inject({
      url: `/v1/accounts/${external}/entries`,
      query: { limit: '3', cursor: mirrored.nextCursor! },
      headers,
    });
    t.same(
      rest.json<Page<EntryItem>>().items.map((e) => [e.position, e.balanceAfter]),
      [['11', '-1000']],
    );

    const empty = await app.inject({ url: `/v1/accounts/${ids[1]}/entries`, headers });
    t.strictSame(empty.json(), { items: [], nextCursor: null }, 'an account without entries');
  });

  t.test('members of the tenant', async (t) => {
    const userId = randomUUID();
    await db
      .withSchema(tenantSchema(tenantId))
      .insertInto('members')
      .values({
        user_id: userId,
        email: 'ada@example.com',
        name: 'Ada',
        role: 'owner',
        position: '1',
      })
      .execute();
    const res = await app.inject({ url: '/v1/members', headers });
    t.equal(res.statusCode, 200);
    t.strictSame(res.json(), {
      items: [{ userId, email: 'ada@example.com', name: 'Ada', role: 'owner' }],
    });
  });

  t.test('admin projections: checkpoints with lag; owners and admins only', async (t) => {
    const owner = bearer({ tenantId, userId: randomUUID(), role: 'owner' });
    const res = await app.inject({ url: '/v1/admin/projections', headers: owner });
    t.equal(res.statusCode, 200);
    const [accounts] = res.json<Array<Record<string, unknown>>>();
    t.match(accounts, { name: 'accounts', position: '100', lag: '0', status: 'running' });
    t.type(accounts?.['eventsPerSecond'], 'number');
    t.notOk(accounts && 'lastError' in accounts);

    // The event store moved on; lag is measured against its head, whichever store it is.
    setHead(130n);
    const lagging = await app.inject({ url: '/v1/admin/projections', headers: owner });
    t.match(lagging.json<unknown[]>()[0], { position: '100', lag: '30' });

    // A stopped projection says so, but not with the stored error: it names an event and
    // quotes the database, and the event may be another tenant's.
    await sql`update projections.checkpoints set status = 'failed',
      last_error = 'event 7960ba89-aaaa-4bbb-8ccc-123456789abc at 101: duplicate key'
      where name = 'accounts'`.execute(db);
    const failed = await app.inject({ url: '/v1/admin/projections', headers: owner });
    const stopped = failed.json<Array<Record<string, string>>>()[0];
    t.match(stopped, { status: 'failed', lastError: /could not apply/ });
    t.notMatch(stopped?.['lastError'], /7960ba89|duplicate key/, 'no event id, no database text');
    await sql`update projections.checkpoints set status = 'running', last_error = null
      where name = 'accounts'`.execute(db);

    const member = await app.inject({ url: '/v1/admin/projections', headers });
    t.equal(member.statusCode, 403);
    t.equal(member.json<{ code: string }>().code, 'forbidden');
  });

  t.test('no token, no data', async (t) => {
    const res = await app.inject({ url: '/v1/accounts' });
    t.equal(res.statusCode, 401);
    t.equal(res.json<{ code: string }>().code, 'unauthenticated');
  });
});

t.test('an account id in upper case or as urn:uuid: reads the same account', async (t) => {
  const { app, db, newTenant, bearer } = await startQueryService(t);
  const tenantId = await newTenant();
  const id = randomUUID();
  await insertAccounts(db, tenantId, [accountRow({ account_id: id, opened_position: '1' })]);
  const headers = bearer({ tenantId, userId: randomUUID(), role: 'member' });
  // Asked in one turn with the plain form, so all share one statement: none may fail it.
  const forms = [id, id.toUpperCase(), `urn:uuid:${id}`, `URN:UUID:${id.toUpperCase()}`];
  const answers = await Promise.all(
    forms.map(async (form) => ({
      form,
      res: await app.inject({ url: `/v1/accounts/${form}`, headers }),
    })),
  );
  for (const { form, res } of answers) {
    t.equal(res.statusCode, 200, form);
    t.equal(res.json<{ accountId: string }>().accountId, id, form);
  }
  // Every route that takes an account id: the prefixed form reached Postgres and answered 500.
  for (const form of forms) {
    const entries = await app.inject({ url: `/v1/accounts/${form}/entries`, headers });
    t.equal(entries.statusCode, 200, `entries ${form}: no entries yet, but the account exists`);
    const balance = await app.inject({ url: `/v1/accounts/${form}/balance`, headers });
    t.equal(balance.statusCode, 200, `balance ${form}`);
    t.equal(balance.json<{ balance: string }>().balance, '0', `balance ${form}`);
  }
});
