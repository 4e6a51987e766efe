import { randomUUID } from 'node:crypto';
import { Account, streamName } from '@techflow/domain';
import { externalAccountId } from '@techflow/platform';
import t from 'tap';
import { startCommandService } from './helpers/command-service.js';

t.test('an owner opens accounts and moves money through the API', async (t) => {
  const { app, eventStore, signup } = await startCommandService(t);
  const owner = await signup();
  const accountId = randomUUID();

  const opened = await app.inject({
    method: 'POST',
    url: '/v1/accounts',
    headers: owner.auth,
    payload: { accountId, name: 'Operating', currency: 'EUR' },
  });
  t.equal(opened.statusCode, 201, opened.body);
  t.same(Object.keys(opened.json()).sort(), ['accountId', 'position']);
  t.equal(opened.json().accountId, accountId);
  t.match(opened.json().position, /^[1-9][0-9]*$/);

  const again = await app.inject({
    method: 'POST',
    url: '/v1/accounts',
    headers: owner.auth,
    payload: { accountId, name: 'Operating', currency: 'EUR' },
  });
  t.equal(again.statusCode, 201, 'creating the same account again is idempotent');
  t.equal(again.json().position, opened.json().position, 'and appends nothing');

  const clash = await app.inject({
    method: 'POST',
    url: '/v1/accounts',
    headers: owner.auth,
    payload: { accountId, name: 'Other name', currency: 'EUR' },
  });
  t.equal(clash.statusCode, 409);
  t.equal(clash.json().code, 'account_already_exists');

  // An external settlement account's id is public (the read side lists the account) and
  // derived from the tenant: opening a customer account under it would leave the read model
  // two accounts with one id.
  for (const currency of ['EUR', 'JPY']) {
    const taken = await app.inject({
      method: 'POST',
      url: '/v1/accounts',
      headers: owner.auth,
      payload: {
        accountId: externalAccountId(owner.tenantId, currency).toUpperCase(),
        name: 'Looks like settlement',
        currency: 'EUR',
      },
    });
    t.equal(taken.statusCode, 409, taken.body);
    t.equal(taken.json().code, 'account_already_exists');
    t.match(taken.json().detail, `external settlement account for ${currency}`);
  }
  // Nor does it take commands: it moves only as the other side of deposits and withdrawals.
  const settlement = externalAccountId(owner.tenantId, 'EUR');
  for (const [path, payload] of [
    ['deposits', { amount: '100' }],
    ['withdrawals', { amount: '100' }],
    ['freeze', {}],
    ['unfreeze', {}],
    ['close', {}],
  ] as const) {
    const refused = await app.inject({
      method: 'POST',
      url: `/v1/accounts/${settlement}/${path}`,
      headers: owner.auth,
      payload,
    });
    t.equal(refused.statusCode, 422, `${path} on the settlement account`);
    t.equal(refused.json().code, 'external_account');
  }

  const generated = await app.inject({
    method: 'POST',
    url: '/v1/accounts',
    headers: owner.auth,
    payload: { name: 'Savings', currency: 'USD', allowOverdraft: true },
  });
  t.equal(generated.statusCode, 201);
  t.match(generated.json().accountId, /^[0-9a-f-]{36}$/, 'an id is chosen when none is given');

  const post = (path: string, payload?: object) =>
    app.inject({
      method: 'POST',
      url: `/v1/accounts/${accountId}/${path}`,
      headers: owner.auth,
      ...(payload ? { payload } : {}),
    });

  const deposit = await post('deposits', { amount: '12500', reference: 'invoice 7' });
  t.equal(deposit.statusCode, 201);
  t.same(Object.keys(deposit.json()).sort(), ['entryId', 'position']);
  t.ok(BigInt(deposit.json().position) > BigInt(opened.json().position), 'positions grow');

  const withdrawal = await post('withdrawals', { amount: '2500' });
  t.equal(withdrawal.statusCode, 201);
  const tooMuch = await post('withdrawals', { amount: '10001' });
  t.equal(tooMuch.statusCode, 422);
  t.equal(tooMuch.json().code, 'insufficient_funds');
  t.equal(
    tooMuch.json().detail,
    'Withdrawing 10001 would take the balance from 10000 to -1 EUR (minor units); ' +
      'this account allows no overdraft',
    'the detail says by how much',
  );

  const frozen = await post('freeze', { reason: 'audit' });
  t.equal(frozen.statusCode, 200);
  t.same(Object.keys(frozen.json()), ['position']);
  const whileFrozen = await post('deposits', { amount: '1' });
  t.equal(whileFrozen.statusCode, 422);
  t.equal(whileFrozen.json().code, 'account_frozen');
  t.equal(whileFrozen.json().detail, 'The account is frozen: unfreeze it to move money');
  const twice = await post('freeze');
  t.equal(twice.statusCode, 409);
  t.equal(twice.json().code, 'account_already_frozen');
  // Clients that declare JSON on every request send no body at all where it is optional.
  const unfrozen = await app.inject({
    method: 'POST',
    url: `/v1/accounts/${accountId}/unfreeze`,
    headers: { ...owner.auth, 'content-type': 'application/json; charset=utf-8' },
    payload: '',
  });
  t.equal(unfrozen.statusCode, 200, 'an empty body declared as JSON is no body');
  const notFrozen = await post('unfreeze');
  t.equal(notFrozen.statusCode, 409, 'unfreezing twice conflicts, as freezing twice does');
  t.equal(notFrozen.json().code, 'account_not_frozen');

  const notEmpty = await post('close');
  t.equal(notEmpty.statusCode, 422);
  t.equal(notEmpty.json().code, 'balance_not_zero');
  t.equal(
    notEmpty.json().detail,
    'The balance is 10000 EUR (minor units); an account closes only at zero',
  );
  t.equal((await post('withdrawals', { amount: '10000' })).statusCode, 201);
  const closed = await post('close', { reason: 'done' });
  t.equal(closed.statusCode, 200);
  const afterClose = await post('deposits', { amount: '1' });
  t.equal(afterClose.json().code, 'account_closed');

  const events = await eventStore.readStream(streamName('account', owner.tenantId, accountId));
  t.same(
    events.map((e) => e.type),
    [
      'AccountOpened',
      'FundsDeposited',
      'FundsWithdrawn',
      'AccountFrozen',
      'AccountUnfrozen',
      'FundsWithdrawn',
      'AccountClosed',
    ],
  );
  const last = events.at(-1)!;
  t.equal(String(last.position), closed.json().position, 'position is the last event appended');
  t.match(last.metadata, {
    tenantId: owner.tenantId,
    actor: `user:${owner.userId}`,
    occurredAt: /^\d{4}-\d\d-\d\dT/,
  });
  t.equal(events[1]!.data['entryId'], deposit.json().entryId, 'the answer names the entry');
  t.equal(events[1]!.data['reference'], 'invoice 7');
});

t.test('correlation and causation ids land in event metadata', async (t) => {
  const { app, eventStore, signup } = await startCommandService(t);
  const owner = await signup();
  const accountId = randomUUID();
  const res = await app.inject({
    method: 'POST',
    url: '/v1/accounts',
    headers: { ...owner.auth, 'x-correlation-id': 'corr-42', 'x-request-id': 'req-42' },
    payload: { accountId, name: 'A', currency: 'EUR' },
  });
  t.equal(res.statusCode, 201);
  const [event] = await eventStore.readStream(streamName('account', owner.tenantId, accountId));
  t.equal(event?.metadata.correlationId, 'corr-42');
  t.equal(event?.metadata.causationId, 'req-42');
});

t.test('50 parallel deposits and withdrawals on one account are all applied', async (t) => {
  const { app, eventStore, signup, restart } = await startCommandService(t);
  const owner = await signup();
  const accountId = randomUUID();
  const open = await app.inject({
    method: 'POST',
    url: '/v1/accounts',
    headers: owner.auth,
    payload: { accountId, name: 'Busy', currency: 'EUR' },
  });
  t.equal(open.statusCode, 201);
  const seed = await app.inject({
    method: 'POST',
    url: `/v1/accounts/${accountId}/deposits`,
    headers: owner.auth,
    payload: { amount: '1000000' },
  });
  t.equal(seed.statusCode, 201);

  const moves = Array.from({ length: 50 }, (_, i) => ({
    kind: i % 5 < 3 ? 'deposits' : 'withdrawals',
    amount: BigInt(100 + i * 37),
  }));
  const answers = await Promise.all(
    moves.map((m) =>
      app.inject({
        method: 'POST',
        url: `/v1/accounts/${accountId}/${m.kind}`,
        headers: owner.auth,
        payload: { amount: String(m.amount) },
      }),
    ),
  );
  t.same(
    answers.map((a) => a.statusCode),
    moves.map(() => 201),
    'every movement accepted',
  );
  const positions = new Set(answers.map((a) => a.json().position));
  t.equal(positions.size, 50, 'each answered with its own position');

  const expected = moves.reduce(
    (balance, m) => (m.kind === 'deposits' ? balance + m.amount : balance - m.amount),
    1_000_000n,
  );
  const stream = streamName('account', owner.tenantId, accountId);
  const events = await eventStore.readStream(stream);
  t.equal(events.length, 52, 'opened, seeded, and 50 movements');
  const { state: folded } = await eventStore.aggregateStream(stream, Account);
  t.equal(folded.status, 'open');
  if (folded.status === 'open')
    t.equal(folded.balance, expected, 'fold of the stream = arithmetic');

  // A restarted service (empty cache) sees the same balance: it refuses one unit too many.
  const fresh = await restart();
  const over = await fresh.inject({
    method: 'POST',
    url: `/v1/accounts/${accountId}/withdrawals`,
    headers: owner.auth,
    payload: { amount: String(expected + 1n) },
  });
  t.equal(over.json().code, 'insufficient_funds');
});
