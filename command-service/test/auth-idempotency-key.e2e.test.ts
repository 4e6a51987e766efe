import { randomUUID } from 'node:crypto';
import t from 'tap';
import { startCommandService } from './helpers/command-service.js';

const signupBody = () => ({
  organizationName: 'Keyed Org',
  email: `keyed-${randomUUID()}@example.com`,
  password: 'correct horse battery staple',
  name: 'Keyed Owner',
});

t.test('signup with a key answers once, then replays that answer', async (t) => {
  const { app, pool } = await startCommandService(t);
  const key = randomUUID();
  const body = signupBody();
  const signup = (payload: object) =>
    app.inject({ method: 'POST', url: '/v1/signup', headers: { 'idempotency-key': key }, payload });

  const first = await signup(body);
  t.equal(first.statusCode, 201, first.body);
  t.notOk(first.headers['idempotent-replayed']);
  const second = await signup(body);
  t.equal(second.statusCode, 201);
  t.equal(second.headers['idempotent-replayed'], 'true');
  t.equal(second.body, first.body, 'the same answer, byte for byte');
  t.match(second.headers['content-type'], /^application\/json/);

  const orgs = await pool.query(
    `select count(*)::int n from es.events where type = 'OrganizationCreated'`,
  );
  t.equal(orgs.rows[0].n, 1, 'one organization, however often it was sent');
  const logins = await pool.query('select count(*)::int n from identity.credentials');
  t.equal(logins.rows[0].n, 1);

  const other = await signup({ ...body, organizationName: 'Another' });
  t.equal(other.statusCode, 409);
  t.equal(other.json().code, 'idempotency_key_reused');

  // At rest: neither the tokens nor the key nor the password are readable.
  const { refreshToken, accessToken } = first.json();
  const rows = await pool.query<{ lookup: string; sealed: Buffer }>(
    'select lookup, sealed from identity.sealed_responses',
  );
  t.equal(rows.rows.length, 1);
  const stored = `${rows.rows[0]!.lookup} ${rows.rows[0]!.sealed.toString('latin1')}`;
  for (const secret of [refreshToken, accessToken, key, body.password, body.email]) {
    t.notOk(stored.includes(secret), 'nothing secret is stored in clear');
  }
});

t.test('concurrent signups with one key make one organization', async (t) => {
  const { app, pool } = await startCommandService(t);
  const key = randomUUID();
  const body = signupBody();
  const answers = await Promise.all(
    Array.from({ length: 6 }, () =>
      app.inject({
        method: 'POST',
        url: '/v1/signup',
        headers: { 'idempotency-key': key },
        payload: body,
      }),
    ),
  );
  const created = answers.filter((a) => a.statusCode === 201);
  const busy = answers.filter((a) => a.statusCode === 409);
  t.ok(created.length >= 1, 'at least the first is answered');
  t.equal(created.length + busy.length, answers.length, 'the others are replays or told to retry');
  for (const a of busy) t.equal(a.json().code, 'idempotency_key_in_use');
  t.equal(new Set(created.map((a) => a.body)).size, 1, 'every 201 is the same answer');
  const orgs = await pool.query(
    `select count(*)::int n from es.events where type = 'OrganizationCreated'`,
  );
  t.equal(orgs.rows[0].n, 1);
});

t.test('login, refresh and logout replay under their keys', async (t) => {
  const { app, signup } = await startCommandService(t);
  const owner = await signup();
  const post = (url: string, key: string, payload: object) =>
    app.inject({ method: 'POST', url, headers: { 'idempotency-key': key }, payload });

  const loginKey = randomUUID();
  const credentials = { email: owner.email, password: owner.password };
  const login = await post('/v1/auth/login', loginKey, credentials);
  t.equal(login.statusCode, 200);
  const again = await post('/v1/auth/login', loginKey, credentials);
  t.equal(again.body, login.body, 'the same tokens');
  t.equal(again.headers['idempotent-replayed'], 'true');

  const wrongKey = randomUUID();
  const wrong = await post('/v1/auth/login', wrongKey, {
    ...credentials,
    password: 'not it at all',
  });
  t.equal(wrong.statusCode, 401);
  const wrongAgain = await post('/v1/auth/login', wrongKey, {
    ...credentials,
    password: 'not it at all',
  });
  t.equal(wrongAgain.statusCode, 401, 'a refusal is remembered too');
  t.equal(wrongAgain.headers['idempotent-replayed'], 'true');
  t.match(wrongAgain.headers['content-type'], /^application\/problem\+json/);
  const right = await post('/v1/auth/login', wrongKey, credentials);
  t.equal(right.statusCode, 409, 'the key now belongs to the refused body');

  const refreshKey = randomUUID();
  const refreshBody = { refreshToken: login.json().refreshToken };
  const rotated = await post('/v1/auth/refresh', refreshKey, refreshBody);
  t.equal(rotated.statusCode, 200);
  const rotatedAgain = await post('/v1/auth/refresh', refreshKey, refreshBody);
  t.equal(rotatedAgain.body, rotated.body, 'a retried refresh gets the same pair');
  // A retry without the key would be a reuse and revoke the family; with it, nothing was
  // spent twice, so the new refresh token still works.
  const next = await app.inject({
    method: 'POST',
    url: '/v1/auth/refresh',
    payload: { refreshToken: rotated.json().refreshToken },
  });
  t.equal(next.statusCode, 200, 'the family was not revoked');

  const logoutKey = randomUUID();
  const logoutBody = { refreshToken: next.json().refreshToken };
  const out = await post('/v1/auth/logout', logoutKey, logoutBody);
  t.equal(out.statusCode, 204);
  const outAgain = await post('/v1/auth/logout', logoutKey, logoutBody);
  t.equal(outAgain.statusCode, 204);
  t.equal(outAgain.headers['idempotent-replayed'], 'true');

  const sameKeyElsewhere = await post('/v1/auth/login', logoutKey, credentials);
  t.equal(sameKeyElsewhere.statusCode, 200, 'a key is per route');
});

t.test(
  'a key is the caller’s own: another user with the same key is another request',
  async (t) => {
    const { app, signup } = await startCommandService(t);
    const [ann, bob] = [await signup(), await signup()];
    const login = (who: typeof ann) =>
      app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        headers: { 'idempotency-key': 'login-1' },
        payload: { email: who.email, password: who.password },
      });
    t.equal((await login(ann)).statusCode, 200);
    const bobs = await login(bob);
    t.equal(bobs.statusCode, 200, `not 409 idempotency_key_reused: ${bobs.body}`);
    t.notOk(bobs.headers['idempotent-replayed']);
  },
);

t.test('a refresh replayed after its new token was exchanged is a reuse', async (t) => {
  const { app, signup } = await startCommandService(t);
  const owner = await signup();
  const refresh = (refreshToken: string, key?: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      headers: key ? { 'idempotency-key': key } : {},
      payload: { refreshToken },
    });
  const key = randomUUID();
  const r2 = await refresh(owner.refreshToken, key);
  t.equal(r2.statusCode, 200);
  const r3 = await refresh(r2.json().refreshToken);
  t.equal(r3.statusCode, 200, 'the new token is exchanged');
  const stale = await refresh(owner.refreshToken, key);
  t.equal(stale.statusCode, 401, 'the first token again, key or no key, is theft');
  t.equal(stale.json().code, 'invalid_refresh_token');
  t.equal((await refresh(r3.json().refreshToken)).statusCode, 401, 'its whole login is revoked');

  // After a logout the replay is refused too.
  const relogin = await app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { email: owner.email, password: owner.password },
  });
  const key2 = randomUUID();
  const first = await refresh(relogin.json().refreshToken, key2);
  t.equal(first.statusCode, 200);
  await app.inject({
    method: 'POST',
    url: '/v1/auth/logout',
    payload: { refreshToken: first.json().refreshToken },
  });
  t.equal((await refresh(relogin.json().refreshToken, key2)).statusCode, 401, 'after logout');
});

t.test('a malformed key or body remembers nothing', async (t) => {
  const { app, pool } = await startCommandService(t);
  const bad = await app.inject({
    method: 'POST',
    url: '/v1/signup',
    headers: { 'idempotency-key': 'has spaces' },
    payload: signupBody(),
  });
  t.equal(bad.statusCode, 400);
  const key = randomUUID();
  const invalid = await app.inject({
    method: 'POST',
    url: '/v1/signup',
    headers: { 'idempotency-key': key },
    payload: { ...signupBody(), password: 'short' },
  });
  t.equal(invalid.statusCode, 400);
  const rows = await pool.query('select count(*)::int n from identity.sealed_responses');
  t.equal(rows.rows[0].n, 0);
  const ok = await app.inject({
    method: 'POST',
    url: '/v1/signup',
    headers: { 'idempotency-key': key },
    payload: signupBody(),
  });
  t.equal(ok.statusCode, 201, 'the key is still free');
});
