import { randomUUID } from 'node:crypto';
import { streamName } from '@techflow/domain';
import t from 'tap';
import { startCommandService, type Teardown } from './helpers/command-service.js';

const setup = async (t: Teardown) => {
  const harness = await startCommandService(t);
  const owner = await harness.signup();
  const accountId = randomUUID();
  const res = await harness.app.inject({
    method: 'POST',
    url: '/v1/accounts',
    headers: owner.auth,
    payload: { accountId, name: 'Main', currency: 'EUR' },
  });
  if (res.statusCode !== 201) throw new Error(res.body);
  return { ...harness, owner, accountId };
};

t.test('the same key and body answer the first response again', async (t) => {
  const { app, eventStore, owner, accountId } = await setup(t);
  const request = {
    method: 'POST' as const,
    url: `/v1/accounts/${accountId}/deposits`,
    headers: { ...owner.auth, 'idempotency-key': randomUUID() },
    payload: { amount: '500', reference: 'r-1' },
  };
  const first = await app.inject(request);
  t.equal(first.statusCode, 201);
  t.notOk(first.headers['idempotent-replayed']);
  const head = await eventStore.headPosition();

  // Same body with its keys in another order is the same request.
  const second = await app.inject({ ...request, payload: { reference: 'r-1', amount: '500' } });
  t.equal(second.statusCode, 201);
  t.same(second.json(), first.json(), 'same body, position included');
  t.equal(second.headers['idempotent-replayed'], 'true');
  t.equal(await eventStore.headPosition(), head, 'nothing appended');

  const other = await app.inject({ ...request, payload: { amount: '501', reference: 'r-1' } });
  t.equal(other.statusCode, 409);
  t.equal(other.json().code, 'idempotency_key_reused');

  const elsewhere = await app.inject({
    ...request,
    url: `/v1/accounts/${randomUUID()}/deposits`,
  });
  t.equal(elsewhere.statusCode, 409, 'the same key on another path is another request');
  t.equal(await eventStore.headPosition(), head);
});

t.test('a refusal is remembered too', async (t) => {
  const { app, eventStore, owner, accountId } = await setup(t);
  const request = {
    method: 'POST' as const,
    url: `/v1/accounts/${accountId}/withdrawals`,
    headers: { ...owner.auth, 'idempotency-key': randomUUID() },
    payload: { amount: '300' },
  };
  const refused = await app.inject(request);
  t.equal(refused.statusCode, 422);
  t.equal(refused.json().code, 'insufficient_funds');
  const deposit = await app.inject({
    method: 'POST',
    url: `/v1/accounts/${accountId}/deposits`,
    headers: owner.auth,
    payload: { amount: '1000' },
  });
  t.equal(deposit.statusCode, 201);
  // Funds are there now, but the key already has its answer.
  const replayed = await app.inject(request);
  t.equal(replayed.statusCode, 422);
  t.same(replayed.json(), refused.json());
  t.match(replayed.headers['content-type'], /^application\/problem\+json/);
  t.equal(replayed.headers['idempotent-replayed'], 'true');
  const events = await eventStore.readStream(streamName('account', owner.tenantId, accountId));
  t.same(
    events.map((e) => e.type),
    ['AccountOpened', 'FundsDeposited'],
  );
});

t.test('a replay still works after a restart (a new app on the same database)', async (t) => {
  const { app, eventStore, owner, accountId, restart } = await setup(t);
  const request = {
    method: 'POST' as const,
    url: `/v1/accounts/${accountId}/deposits`,
    headers: { ...owner.auth, 'idempotency-key': `restart-${randomUUID()}` },
    payload: { amount: '700' },
  };
  const first = await app.inject(request);
  t.equal(first.statusCode, 201);
  await app.close();
  const head = await eventStore.headPosition();
  const fresh = await restart();
  const again = await fresh.inject(request);
  t.equal(again.statusCode, 201);
  t.same(again.json(), first.json());
  t.equal(await eventStore.headPosition(), head);

  const open = {
    method: 'POST' as const,
    url: '/v1/accounts',
    headers: { ...owner.auth, 'idempotency-key': randomUUID() },
    payload: { name: 'Generated id', currency: 'GBP' },
  };
  const created = await fresh.inject(open);
  t.equal(created.statusCode, 201);
  const recreated = await fresh.inject(open);
  t.same(recreated.json(), created.json(), 'a server-chosen id comes back the same');
});

t.test('concurrent duplicates with the same key apply once', async (t) => {
  const { app, eventStore, owner, accountId, restart } = await setup(t);
  const second = await restart();
  const request = {
    method: 'POST' as const,
    url: `/v1/accounts/${accountId}/deposits`,
    headers: { ...owner.auth, 'idempotency-key': randomUUID() },
    payload: { amount: '250' },
  };
  // Two app instances (two caches, two queues) racing, as two replicas would.
  const answers = await Promise.all(
    Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? app : second).inject(request)),
  );
  t.same(
    answers.map((a) => a.statusCode),
    answers.map(() => 201),
  );
  t.equal(new Set(answers.map((a) => a.body)).size, 1, 'every answer is the same answer');
  const events = await eventStore.readStream(streamName('account', owner.tenantId, accountId));
  t.equal(events.filter((e) => e.type === 'FundsDeposited').length, 1, 'deposited once');
});

t.test('an id written in another form is the same request to the key', async (t) => {
  const { app, eventStore, owner, accountId } = await setup(t);
  const key = randomUUID();
  const send = (id: string) =>
    app.inject({
      method: 'POST',
      url: `/v1/accounts/${id}/deposits`,
      headers: { ...owner.auth, 'idempotency-key': key },
      payload: { amount: '7' },
    });
  const first = await send(accountId.toUpperCase());
  t.equal(first.statusCode, 201);
  const head = await eventStore.headPosition();
  for (const id of [accountId, `urn:uuid:${accountId}`]) {
    const again = await send(id);
    t.equal(again.statusCode, 201, `${id}: ${again.body}`);
    t.equal(again.headers['idempotent-replayed'], 'true');
    t.same(again.json(), first.json());
  }
  t.equal(await eventStore.headPosition(), head, 'one deposit');
  const elsewhere = await send(randomUUID());
  t.equal(elsewhere.statusCode, 409, 'the key sent to another account is another request');
});
