import { randomUUID } from 'node:crypto';
import { ACCOUNT_CATEGORY, streamName } from '@techflow/domain';
import t from 'tap';
import { startCommandService } from './helpers/command-service.js';

// UUIDs are case-insensitive (RFC 9562): one id in two cases is one account, one stream.
t.test('an account id in upper case names the same account as in lower case', async (t) => {
  const { app, eventStore, signup } = await startCommandService(t);
  const owner = await signup();
  const lower = randomUUID();
  const upper = lower.toUpperCase();
  const post = (url: string, payload: object) =>
    app.inject({ method: 'POST', url, headers: owner.auth, payload });

  const opened = await post('/v1/accounts', { accountId: upper, name: 'Ops', currency: 'EUR' });
  t.equal(opened.statusCode, 201, opened.body);
  t.equal(opened.json().accountId, lower, 'the id comes back in its canonical form');

  const again = await post('/v1/accounts', { accountId: lower, name: 'Ops', currency: 'EUR' });
  t.equal(again.statusCode, 201, 'opening it again in lower case is the idempotent repeat');
  t.equal(again.json().position, opened.json().position, 'and appends nothing');
  const clash = await post('/v1/accounts', { accountId: lower, name: 'Other', currency: 'EUR' });
  t.equal(clash.statusCode, 409, 'different details clash as with the same case');

  const byLower = await post(`/v1/accounts/${lower}/deposits`, { amount: '500' });
  t.equal(byLower.statusCode, 201, byLower.body);
  const byUpper = await post(`/v1/accounts/${upper}/withdrawals`, { amount: '200' });
  t.equal(byUpper.statusCode, 201, byUpper.body);
  const mixed = `${upper.slice(0, 18)}${lower.slice(18)}`;
  const frozen = await post(`/v1/accounts/${mixed}/freeze`, {});
  t.equal(frozen.statusCode, 200, frozen.body);
  const urn = await post(`/v1/accounts/urn:uuid:${upper}/unfreeze`, {});
  t.equal(urn.statusCode, 200, urn.body);

  const tenantId = owner.tenantId;
  const stream = await eventStore.readStream(streamName(ACCOUNT_CATEGORY, tenantId, lower));
  t.same(
    stream.map((e) => e.type),
    ['AccountOpened', 'FundsDeposited', 'FundsWithdrawn', 'AccountFrozen', 'AccountUnfrozen'],
    'every command went to the one stream',
  );
  for (const e of stream) t.equal((e.data as { accountId: string }).accountId, lower);
  const shadow = await eventStore.readStream(streamName(ACCOUNT_CATEGORY, tenantId, upper));
  t.equal(shadow.length, 0, 'no second stream under the upper-case id');
});

t.test('a login names its organization by id in any case', async (t) => {
  const { app, signup } = await startCommandService(t);
  const owner = await signup();
  for (const tenantId of [owner.tenantId.toUpperCase(), `urn:uuid:${owner.tenantId}`]) {
    const login = await app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: owner.email, password: owner.password, tenantId },
    });
    t.equal(login.statusCode, 200, `${tenantId}: ${login.body}`);
  }
});
