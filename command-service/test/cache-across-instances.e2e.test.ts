import { randomUUID } from 'node:crypto';
import t from 'tap';
import { startCommandService } from './helpers/command-service.js';

// Two instances on one store, each with its own aggregate cache. An append catches a stale
// cached state by its expected revision; a refusal or a no-op must not be decided on one.
t.test('an instance whose cache is behind does not refuse what the store allows', async (t) => {
  const h = await startCommandService(t);
  const owner = await h.signup();
  const [one, two] = [h.app, await h.restart()];
  const post = (app: typeof one, path: string, payload: object, key?: string) =>
    app.inject({
      method: 'POST',
      url: path,
      headers: { ...owner.auth, ...(key ? { 'idempotency-key': key } : {}) },
      payload,
    });

  const accountId = randomUUID();
  const opened = await post(one, '/v1/accounts', { accountId, name: 'A', currency: 'EUR' });
  t.equal(opened.statusCode, 201);
  t.equal(
    (await post(two, `/v1/accounts/${accountId}/deposits`, { amount: '1000' })).statusCode,
    201,
  );

  const key = randomUUID();
  const withdrawal = await post(
    one,
    `/v1/accounts/${accountId}/withdrawals`,
    { amount: '500' },
    key,
  );
  t.equal(withdrawal.statusCode, 201, `the deposit made elsewhere covers it: ${withdrawal.body}`);
  const replay = await post(two, `/v1/accounts/${accountId}/withdrawals`, { amount: '500' }, key);
  t.equal(replay.statusCode, 201, 'the key remembers the acceptance');
  t.equal(replay.json().position, withdrawal.json().position);

  const frozen = randomUUID();
  await post(one, '/v1/accounts', { accountId: frozen, name: 'F', currency: 'EUR' });
  t.equal((await post(one, `/v1/accounts/${frozen}/freeze`, {})).statusCode, 200);
  t.equal((await post(two, `/v1/accounts/${frozen}/unfreeze`, {})).statusCode, 200);
  const deposit = await post(one, `/v1/accounts/${frozen}/deposits`, { amount: '5' });
  t.equal(deposit.statusCode, 201, `unfrozen elsewhere: ${deposit.body}`);

  const closed = randomUUID();
  await post(one, '/v1/accounts', { accountId: closed, name: 'C', currency: 'EUR' });
  t.equal((await post(two, `/v1/accounts/${closed}/close`, {})).statusCode, 200);
  const reopen = await post(one, '/v1/accounts', { accountId: closed, name: 'C', currency: 'EUR' });
  t.equal(reopen.statusCode, 422, 'a closed account is not "already open" because a cache says so');
  t.equal(reopen.json().code, 'account_closed');
});

t.test('a refusal is remembered only for the revision it was decided on', async (t) => {
  const h = await startCommandService(t);
  const owner = await h.signup();
  const [one, two] = [h.app, await h.restart()];
  const accountId = randomUUID();
  const auth = (key?: string) => ({ ...owner.auth, ...(key ? { 'idempotency-key': key } : {}) });
  await one.inject({
    method: 'POST',
    url: '/v1/accounts',
    headers: auth(),
    payload: { accountId, name: 'A', currency: 'EUR' },
  });
  const key = randomUUID();
  const url = `/v1/accounts/${accountId}/withdrawals`;
  const refused = await one.inject({
    method: 'POST',
    url,
    headers: auth(key),
    payload: { amount: '9' },
  });
  t.equal(refused.statusCode, 422, 'nothing to withdraw yet');
  await two.inject({
    method: 'POST',
    url: `/v1/accounts/${accountId}/deposits`,
    headers: auth(),
    payload: { amount: '100' },
  });
  // The same key replays its first answer, as API.md says, on either instance.
  for (const app of [one, two]) {
    const again = await app.inject({
      method: 'POST',
      url,
      headers: auth(key),
      payload: { amount: '9' },
    });
    t.equal(again.statusCode, 422);
    t.equal(again.headers['idempotent-replayed'], 'true');
  }
  // Without the key, the instance that refused decides again on the store.
  const fresh = await one.inject({
    method: 'POST',
    url,
    headers: auth(),
    payload: { amount: '9' },
  });
  t.equal(fresh.statusCode, 201);
});
