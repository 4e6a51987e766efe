import { createPublicKey, randomUUID, verify } from 'node:crypto';
import t from 'tap';
import { startCommandService } from './helpers/command-service.js';

const decode = (token: string) => {
  const [header, payload] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header!, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(payload!, 'base64url').toString()),
  };
};

t.test('signup answers tokens that work, signed with the key the JWKS publishes', async (t) => {
  const { app, signup } = await startCommandService(t);
  const owner = await signup();
  t.match(owner, {
    tenantId: /^[0-9a-f-]{36}$/,
    userId: /^[0-9a-f-]{36}$/,
    accessToken: String,
    refreshToken: String,
    expiresIn: 900,
  });
  const { header, payload } = decode(owner.accessToken);
  t.match(header, { alg: 'EdDSA', typ: 'JWT' });
  t.match(payload, { sub: owner.userId, tid: owner.tenantId, role: 'owner' });

  const keys = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
  t.equal(keys.statusCode, 200);
  const jwk = keys.json().keys.find((k: { kid: string }) => k.kid === header.kid);
  t.match(jwk, { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
  const [h, p, s] = owner.accessToken.split('.');
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  t.ok(verify(null, Buffer.from(`${h}.${p}`), key, Buffer.from(s!, 'base64url')), 'verifies');
});

t.test('login', async (t) => {
  const { app, signup } = await startCommandService(t);
  const owner = await signup();
  const login = (payload: object) => app.inject({ method: 'POST', url: '/v1/auth/login', payload });

  const ok = await login({ email: owner.email.toUpperCase(), password: owner.password });
  t.equal(ok.statusCode, 200, ok.body);
  t.same(Object.keys(ok.json()).sort(), ['accessToken', 'expiresIn', 'refreshToken']);
  t.match(decode(ok.json().accessToken).payload, { tid: owner.tenantId, role: 'owner' });
  const withTenant = await login({ ...owner, tenantId: owner.tenantId });
  t.equal(withTenant.statusCode, 400, 'unknown fields are refused on login too');
  const scoped = await login({
    email: owner.email,
    password: owner.password,
    tenantId: owner.tenantId,
  });
  t.equal(scoped.statusCode, 200);

  for (const payload of [
    { email: owner.email, password: 'wrong password' },
    { email: 'nobody@example.com', password: owner.password },
    { email: owner.email, password: owner.password, tenantId: randomUUID() },
  ]) {
    const res = await login(payload);
    t.equal(res.statusCode, 401);
    t.equal(res.json().code, 'invalid_credentials');
  }

  const usable = await app.inject({
    method: 'POST',
    url: '/v1/accounts',
    headers: { authorization: `Bearer ${ok.json().accessToken}` },
    payload: { name: 'Via login', currency: 'EUR' },
  });
  t.equal(usable.statusCode, 201);
});

t.test(
  'the same email in several organizations: its first unless the tenant is named',
  async (t) => {
    const { app, signup } = await startCommandService(t);
    const email = `shared-${randomUUID()}@example.com`;
    const orgs = [];
    // Signed up one after another, each with its own password.
    for (let i = 0; i < 4; i++)
      orgs.push(await signup({ email, password: `password number ${i}` }));
    const login = (payload: object) =>
      app.inject({ method: 'POST', url: '/v1/auth/login', payload });

    const first = await login({ email, password: orgs[0]!.password });
    t.equal(first.statusCode, 200, 'without tenantId, the first organization');
    t.equal(decode(first.json().accessToken).payload.tid, orgs[0]!.tenantId);
    // One hash check per login, whatever the number of organizations: without tenantId only
    // the first is checked, so another's password does not open it (nor reveal it exists).
    const other = await login({ email, password: orgs[3]!.password });
    t.equal(other.statusCode, 401);
    t.equal(other.json().code, 'invalid_credentials');
    t.match(other.json().detail, /without tenantId/, 'the answer says how to reach the others');
    const stranger = await login({ email: `nobody-${randomUUID()}@example.com`, password: 'x' });
    t.equal(stranger.json().detail, other.json().detail, '…in words that do not tell members');

    const chosen = await login({ email, password: orgs[3]!.password, tenantId: orgs[3]!.tenantId });
    t.equal(chosen.statusCode, 200, 'naming the tenant opens it');
    t.equal(decode(chosen.json().accessToken).payload.tid, orgs[3]!.tenantId);
  },
);

t.test('refresh rotates; reusing a refresh token revokes its family', async (t) => {
  const { app, signup } = await startCommandService(t);
  const owner = await signup();
  const refresh = (refreshToken: string) =>
    app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken } });

  const first = await refresh(owner.refreshToken);
  t.equal(first.statusCode, 200, first.body);
  const next = first.json().refreshToken;
  t.not(next, owner.refreshToken, 'a new refresh token');
  t.match(decode(first.json().accessToken).payload, { sub: owner.userId, tid: owner.tenantId });

  const reuse = await refresh(owner.refreshToken);
  t.equal(reuse.statusCode, 401, 'the old token is dead');
  t.equal(reuse.json().code, 'invalid_refresh_token');
  const afterTheft = await refresh(next);
  t.equal(afterTheft.statusCode, 401, 'and its reuse killed the whole family');

  const unknown = await refresh('x'.repeat(43));
  t.equal(unknown.statusCode, 401);
});

t.test('logout revokes the refresh token family; other logins live on', async (t) => {
  const { app, signup } = await startCommandService(t);
  const owner = await signup();
  const second = await app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { email: owner.email, password: owner.password },
  });
  const rotated = await app.inject({
    method: 'POST',
    url: '/v1/auth/refresh',
    payload: { refreshToken: owner.refreshToken },
  });
  const out = await app.inject({
    method: 'POST',
    url: '/v1/auth/logout',
    payload: { refreshToken: rotated.json().refreshToken },
  });
  t.equal(out.statusCode, 204);
  t.equal(out.body, '');
  const dead = await app.inject({
    method: 'POST',
    url: '/v1/auth/refresh',
    payload: { refreshToken: rotated.json().refreshToken },
  });
  t.equal(dead.statusCode, 401);
  const alive = await app.inject({
    method: 'POST',
    url: '/v1/auth/refresh',
    payload: { refreshToken: second.json().refreshToken },
  });
  t.equal(alive.statusCode, 200, 'another login is another family');
  const again = await app.inject({
    method: 'POST',
    url: '/v1/auth/logout',
    payload: { refreshToken: 'y'.repeat(43) },
  });
  t.equal(again.statusCode, 204, 'logout never says whether a token existed');
});
