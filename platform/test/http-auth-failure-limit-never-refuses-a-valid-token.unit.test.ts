// Regression: once an address had sent too many bad tokens, its valid tokens got 429 too, so
// one client guessing locked out everyone behind the same address (an office, a NAT).
import t, { type Test } from 'tap';
import { authenticateWithFailureLimit, authPlugin, rateLimitPlugin } from '../src/http/index.js';
import { quietApp } from './helpers/quiet-app.js';
import { testSigningKey } from './helpers/signing-key.js';

const subject = (n: number) => ({
  tenantId: '6f1f0c1e-3a52-4c1b-9d4e-2b7a8c9d0e1f',
  userId: `0b9f1c3e-4f55-4d0e-9a4b-6a3c1e2d5f7${n}`,
  role: 'owner' as const,
});

/** A base app whose /me sits behind a limit of 2 refused tokens per address. */
const appWith = async (t: Test) => {
  const app = await quietApp(t);
  await app.register(authPlugin, { keys: testSigningKey(), accessTokenTtlSeconds: 900 });
  await app.register(rateLimitPlugin, { redisKeyPrefix: 'tftest-unused:' });
  await app.register(async (guarded) => {
    guarded.addHook('onRequest', authenticateWithFailureLimit(guarded, 2));
    guarded.get('/me', async (request) => ({ userId: request.principal.userId }));
  });
  await app.ready();
  return app;
};

t.test('a blocked address still gets through with a valid token', async (t) => {
  const app = await appWith(t);
  const other = await appWith(t);
  const seen = app.signAccessToken(subject(1));
  const me = (authorization?: string, remoteAddress = '10.9.0.1') =>
    app.inject({
      url: '/me',
      remoteAddress,
      ...(authorization ? { headers: { authorization } } : {}),
    });
  t.equal((await me(`Bearer ${seen}`)).statusCode, 200, 'a token verified before the block');
  const forged = `Bearer ${other.signAccessToken(subject(1))}`;
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) statuses.push((await me(forged)).statusCode);
  t.same(statuses, [401, 401, 429], 'two refusals, then the address is blocked');

  const valid = await me(`Bearer ${seen}`);
  t.equal(valid.statusCode, 200, 'a remembered valid token passes while blocked');
  t.same(valid.json(), { userId: subject(1).userId });
  const fresh = await me(`Bearer ${app.signAccessToken(subject(2))}`);
  t.equal(fresh.statusCode, 200, 'a valid token never seen before passes too');
  t.same(fresh.json(), { userId: subject(2).userId });

  for (const [what, authorization] of [
    ['a forged token', forged],
    ['a malformed token', 'Bearer x.y.z'],
    ['no token', undefined],
  ] as const) {
    const res = await me(authorization);
    t.equal(res.statusCode, 429, `${what} while blocked: 429, not 401`);
    t.equal(res.json().code, 'rate_limited');
    t.match(res.json().detail, /invalid token from this address/);
    t.ok(Number(res.headers['retry-after']) >= 1, 'with Retry-After');
  }
  t.equal((await me(forged, '10.9.0.2')).statusCode, 401, 'other addresses are not blocked');
});
