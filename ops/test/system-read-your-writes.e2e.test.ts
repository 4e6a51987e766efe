import { createTestDatabase, createTestNats } from '@techflow/platform/testing';
import t from 'tap';
import { Api } from './helpers/api.js';
import { foldAccounts, headPosition } from './helpers/fold.js';
import { startSystem } from './helpers/system.js';

// End to end through the one origin `npm start` serves: command service, relay, projectors
// and query service as real processes on real Postgres and NATS.
t.test(
  'concurrent writes on one account: read models equal the event store, own writes always visible',
  async (t) => {
    const db = await createTestDatabase('tf_e2e');
    const nats = createTestNats();
    t.teardown(async () => {
      await nats.cleanup();
      await db.drop();
    });
    const system = await startSystem({
      DATABASE_URL: db.url,
      NATS_STREAM: nats.stream,
      NATS_SUBJECT_PREFIX: nats.subjectPrefix,
    });
    t.teardown(() => system.stop());

    const api = new Api(system.origin);
    const { tenantId } = await api.signup();
    const main = await api.openAccount('Main');
    const other = await api.openAccount('Other', 'USD');
    const seed = await api.request<{ position: string }>(
      'POST',
      `/v1/accounts/${main.accountId}/deposits`,
      {
        amount: '100000',
      },
    );
    t.equal(seed.status, 201);

    // Each service knows only its own routes; the origin answers for both.
    for (const [path, allow] of [
      [`/v1/accounts/${main.accountId}`, 'GET, HEAD, OPTIONS'],
      ['/v1/accounts', 'GET, HEAD, POST, OPTIONS'],
    ] as const) {
      const wrong = await api.request<{ code: string }>('DELETE', path);
      t.equal(wrong.status, 405, `DELETE ${path} at the origin`);
      t.equal(wrong.headers.get('allow'), allow);
      t.equal(wrong.body.code, 'method_not_allowed');
    }

    // 50 parallel requests, deposits and withdrawals mixed, on the same account. Each one then
    // reads with its own position and must find its own entry.
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const kind = i % 2 === 0 ? 'deposits' : 'withdrawals';
        const amount = String(100 + i);
        const w = await api.request<{ entryId: string; position: string }>(
          'POST',
          `/v1/accounts/${main.accountId}/${kind}`,
          { amount, reference: `r${i}` },
        );
        if (w.status !== 201) return { ok: false, detail: `${w.status} ${JSON.stringify(w.body)}` };
        const r = await api.request<{ items: { entryId: string }[] }>(
          'GET',
          `/v1/accounts/${main.accountId}/entries?limit=200`,
          undefined,
          { 'x-min-position': w.body.position },
        );
        const seen = r.status === 200 && r.body.items.some((e) => e.entryId === w.body.entryId);
        return {
          ok: seen,
          detail: seen ? '' : `own write ${w.body.entryId} missing at ${w.body.position}`,
        };
      }),
    );
    t.same(
      results.filter((r) => !r.ok).map((r) => r.detail),
      [],
      'all 50 commands accepted and each visible to its own X-Min-Position read',
    );

    // Wait for everything, then compare the read model with the fold of the event store.
    const head = await headPosition(db.url);
    const folded = await foldAccounts(db.url, tenantId);
    for (const account of [main, other]) {
      const truth = folded.get(account.accountId);
      t.ok(truth, 'account is in the event store');
      const read = await api.request<{ balance: string; status: string }>(
        'GET',
        `/v1/accounts/${account.accountId}`,
        undefined,
        { 'x-min-position': head },
      );
      t.equal(read.status, 200);
      t.equal(
        read.body.balance,
        truth!.balance.toString(),
        'balance equals the fold of the events',
      );
      // A conditional GET through the one origin: the gateway passes the 304 on, bodiless.
      const etag = read.headers.get('etag');
      t.ok(etag, 'the account has an ETag');
      const unchanged = await api.request('GET', `/v1/accounts/${account.accountId}`, undefined, {
        'if-none-match': etag!,
      });
      t.equal(unchanged.status, 304, 'If-None-Match with the current ETag is 304 at the origin');
      t.equal(unchanged.headers.get('etag'), etag);
      t.equal(read.body.status, truth!.status);
      const entries = await api.request<{
        items: { entryId: string; kind: string; amount: string }[];
      }>('GET', `/v1/accounts/${account.accountId}/entries?limit=200`, undefined, {
        'x-min-position': head,
      });
      t.equal(entries.body.items.length, truth!.entries.size, 'one statement line per movement');
      for (const e of entries.body.items) {
        // The line's amount is digits; its kind says which way it moved the balance.
        const signed = e.kind === 'withdrawal' ? -BigInt(e.amount) : BigInt(e.amount);
        t.equal(signed, truth!.entries.get(e.entryId)?.amount, `entry ${e.entryId} matches`);
      }
    }
    t.equal(folded.get(main.accountId)!.balance, 100000n + 25n * 100n + 600n - (25n * 100n + 625n));

    // Double entry: per currency, every balance including the external account sums to zero.
    const all = await api.request<{
      items: { accountId: string; currency: string; balance: string }[];
    }>('GET', '/v1/accounts?limit=200', undefined, { 'x-min-position': head });
    const sums = new Map<string, bigint>();
    for (const a of all.body.items)
      sums.set(a.currency, (sums.get(a.currency) ?? 0n) + BigInt(a.balance));
    for (const [currency, sum] of sums) t.equal(sum, 0n, `${currency} balances sum to zero`);

    // And at every instant in between: the external account's statement mirrors every line,
    // so its balance as of a past instant is read like any other account's.
    const lines = await api.request<{ items: { at: string }[] }>(
      'GET',
      `/v1/accounts/${main.accountId}/entries?limit=200`,
      undefined,
      { 'x-min-position': head },
    );
    const instants = [...new Set(lines.body.items.map((e) => e.at))].sort();
    for (const at of [instants[0]!, instants[Math.floor(instants.length / 2)]!]) {
      const past = new Map<string, bigint>();
      for (const a of all.body.items) {
        const b = await api.request<{ balance: string }>(
          'GET',
          `/v1/accounts/${a.accountId}/balance?at=${encodeURIComponent(at)}`,
        );
        past.set(a.currency, (past.get(a.currency) ?? 0n) + BigInt(b.body.balance));
      }
      for (const [currency, sum] of past) t.equal(sum, 0n, `${currency} sums to zero at ${at}`);
    }

    // The external account's statement: one line for every movement of its currency's
    // accounts, its balance after the newest being its balance now.
    const movements = [...folded.values()].reduce((n, a) => n + a.entries.size, 0);
    const external = all.body.items.find((a) => !folded.has(a.accountId))!;
    const seen: { balanceAfter: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { balanceAfter: string }[]; nextCursor: string | null } } =
        await api.request(
          'GET',
          `/v1/accounts/${external.accountId}/entries?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
        );
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    t.equal(seen.length, movements, 'the external account mirrors every movement');
    t.equal(seen[0]?.balanceAfter, external.balance, 'and ends at its balance');
  },
);
