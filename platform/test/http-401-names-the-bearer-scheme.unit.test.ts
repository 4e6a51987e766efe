// Regression: 401 answers had no WWW-Authenticate, which RFC 9110 requires of every 401 and
// RFC 6750 spells for bearer tokens: `Bearer`, with `error="invalid_token"` for a bad one.
import t from 'tap';
import { authPlugin, problem } from '../src/http/index.js';
import { quietApp } from './helpers/quiet-app.js';
import { testSigningKey } from './helpers/signing-key.js';

t.test('every 401 unauthenticated names the Bearer scheme', async (t) => {
  const app = await quietApp(t);
  await app.register(authPlugin, { keys: testSigningKey(), accessTokenTtlSeconds: 900 });
  app.get('/me', { onRequest: app.authenticate }, async () => ({ ok: true }));
  app.get('/thrown', async () => {
    throw problem('unauthenticated', 'no session');
  });
  app.get('/fastify-401', async () => {
    throw Object.assign(new Error('who are you'), { statusCode: 401 });
  });
  const cases = [
    ['no token', '/me', {}, 'Bearer'],
    ['another scheme', '/me', { authorization: 'Basic dTpw' }, 'Bearer'],
    ['a malformed token', '/me', { authorization: 'Bearer x.y.z' }, 'Bearer error="invalid_token"'],
    ['a problem thrown by a route', '/thrown', {}, 'Bearer'],
    ['a bare 401 error', '/fastify-401', {}, 'Bearer'],
  ] as const;
  for (const [name, url, headers, challenge] of cases) {
    const res = await app.inject({ url, headers });
    t.equal(res.statusCode, 401, `${name}: 401`);
    t.equal(res.json().code, 'unauthenticated', `${name}: code`);
    t.equal(res.headers['www-authenticate'], challenge, `${name}: WWW-Authenticate`);
  }
  const token = app.signAccessToken({
    tenantId: '6f1f0c1e-3a52-4c1b-9d4e-2b7a8c9d0e1f',
    userId: '0b9f1c3e-4f55-4d0e-9a4b-6a3c1e2d5f70',
    role: 'owner',
  });
  const ok = await app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } });
  t.equal(ok.statusCode, 200);
  t.notOk(ok.headers['www-authenticate'], 'no challenge on success');
});
