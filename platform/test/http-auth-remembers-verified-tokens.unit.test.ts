import Fastify from 'fastify';
import t from 'tap';
import { authPlugin } from '../src/http/auth.js';
import { testSigningKey } from './helpers/signing-key.js';

const appWith = async (accessTokenTtlSeconds: number) => {
  const app = Fastify();
  await app.register(authPlugin, { keys: testSigningKey(), accessTokenTtlSeconds });
  app.get('/me', { onRequest: app.authenticate }, async (request) => request.principal);
  app.setErrorHandler((error: { statusCode?: number; message: string }, _req, reply) =>
    reply.code(error.statusCode ?? 500).send({ detail: error.message }),
  );
  await app.ready();
  return app;
};

const subject = {
  tenantId: '6f1f0c1e-3a52-4c1b-9d4e-2b7a8c9d0e1f',
  userId: '0b9f1c3e-4f55-4d0e-9a4b-6a3c1e2d5f70',
  role: 'owner' as const,
};

t.test('a verified token answers again from memory, and only until it expires', async (t) => {
  // exp counts whole seconds from a truncated iat: a 3 s token lives between 2 and 3 s, long
  // enough for the first requests on a loaded machine.
  const app = await appWith(3);
  t.teardown(() => app.close());
  const token = app.signAccessToken(subject);
  const me = () => app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } });
  for (let i = 0; i < 3; i++) {
    const res = await me();
    t.equal(res.statusCode, 200);
    t.same(res.json(), { ...subject, actor: `user:${subject.userId}` });
  }
  const { exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
    exp: number;
  };
  await new Promise((r) => setTimeout(r, Math.max(0, exp * 1000 - Date.now()) + 100));
  const expired = await me();
  t.equal(expired.statusCode, 401, 'a remembered token is refused once expired');
  t.match(expired.json().detail, /expired/);
});

t.test('a token is remembered only once verified', async (t) => {
  const app = await appWith(900);
  const other = await appWith(900);
  t.teardown(() => Promise.all([app.close(), other.close()]));
  const forged = other.signAccessToken(subject);
  for (let i = 0; i < 2; i++) {
    const res = await app.inject({ url: '/me', headers: { authorization: `Bearer ${forged}` } });
    t.equal(res.statusCode, 401, 'another key’s token is refused every time');
  }
  const res = await app.inject({ url: '/me', headers: { authorization: 'Basic dTpw' } });
  t.equal(res.statusCode, 401);
});
