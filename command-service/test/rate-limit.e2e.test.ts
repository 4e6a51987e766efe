import { randomUUID } from 'node:crypto';
import { loadConfig, trustProxyOf } from '@techflow/platform';
import { Redis } from 'ioredis';
import t from 'tap';
import { startCommandService, TEST_REDIS_URL } from './helpers/command-service.js';

const open = (app: Awaited<ReturnType<typeof startCommandService>>['app'], token: string) =>
  app.inject({
    method: 'POST',
    url: '/v1/accounts',
    headers: { authorization: `Bearer ${token}` },
    payload: { accountId: randomUUID(), name: 'Limited', currency: 'EUR' },
  });

t.test('per user: the request over the limit is a 429 problem with headers', async (t) => {
  const { app, eventStore, signup } = await startCommandService(t, {
    redis: true,
    config: { RATE_LIMIT_PER_USER_PER_MINUTE: 3, RATE_LIMIT_PER_TENANT_PER_MINUTE: 100 },
  });
  const owner = await signup();
  for (let i = 0; i < 3; i++) {
    const ok = await open(app, owner.accessToken);
    t.equal(ok.statusCode, 201);
    t.equal(ok.headers['ratelimit-limit'], '3');
    t.equal(ok.headers['ratelimit-remaining'], String(2 - i));
    t.ok(Number(ok.headers['ratelimit-reset']) > 0);
  }
  const head = await eventStore.headPosition();
  const limited = await open(app, owner.accessToken);
  t.equal(limited.statusCode, 429);
  t.match(limited.headers['content-type'], /^application\/problem\+json/);
  t.equal(limited.json().code, 'rate_limited');
  t.match(limited.json().detail, /user/);
  t.ok(Number(limited.headers['retry-after']) >= 1, 'Retry-After');
  t.equal(limited.headers['ratelimit-limit'], '3');
  t.equal(limited.headers['ratelimit-remaining'], '0');
  t.ok(Number(limited.headers['ratelimit-reset']) >= 1);
  t.equal(await eventStore.headPosition(), head, 'a limited command writes nothing');

  const other = await signup();
  t.equal((await open(app, other.accessToken)).statusCode, 201, 'other users are not limited');
  const health = await app.inject({ method: 'GET', url: '/health' });
  t.equal(health.statusCode, 200, '/health is never limited');
  t.notOk(health.headers['ratelimit-limit']);
});

t.test('requests one user sends past their own limit do not spend the tenant’s', async (t) => {
  const { app, signup } = await startCommandService(t, {
    redis: true,
    config: { RATE_LIMIT_PER_USER_PER_MINUTE: 2, RATE_LIMIT_PER_TENANT_PER_MINUTE: 5 },
  });
  const owner = await signup();
  const statuses: number[] = [];
  for (let i = 0; i < 10; i++) statuses.push((await open(app, owner.accessToken)).statusCode);
  t.same(statuses, [201, 201, 429, 429, 429, 429, 429, 429, 429, 429]);
  const colleague = app.signAccessToken({
    tenantId: owner.tenantId,
    userId: randomUUID(),
    role: 'member',
  });
  const colleagues = await open(app, colleague);
  t.equal(colleagues.statusCode, 201, `the tenant has 3 of 5 left: ${colleagues.body}`);
  t.equal(colleagues.headers['ratelimit-remaining'], '1', 'the user limit (2) is the tighter');
});

t.test('per tenant: users of one tenant share its limit', async (t) => {
  const { app, signup } = await startCommandService(t, {
    redis: true,
    config: { RATE_LIMIT_PER_USER_PER_MINUTE: 100, RATE_LIMIT_PER_TENANT_PER_MINUTE: 4 },
  });
  const owner = await signup();
  // A second user of the same tenant (members arrive with POST /v1/members; signed directly).
  const colleague = app.signAccessToken({
    tenantId: owner.tenantId,
    userId: randomUUID(),
    role: 'member',
  });
  const statuses: number[] = [];
  for (const token of [owner.accessToken, colleague, owner.accessToken, colleague, colleague]) {
    statuses.push((await open(app, token)).statusCode);
  }
  t.same(statuses, [201, 201, 201, 201, 429]);
  const limited = await open(app, owner.accessToken);
  t.equal(limited.json().code, 'rate_limited');
  t.match(limited.json().detail, /tenant/);
  t.equal(limited.headers['ratelimit-limit'], '4');

  const stranger = await signup();
  t.equal((await open(app, stranger.accessToken)).statusCode, 201, 'other tenants are not');
});

t.test('instances share the limits through Redis', async (t) => {
  const { app, restart, signup } = await startCommandService(t, {
    redis: true,
    config: { RATE_LIMIT_PER_USER_PER_MINUTE: 3, RATE_LIMIT_PER_TENANT_PER_MINUTE: 100 },
  });
  const second = await restart();
  const owner = await signup();
  t.equal((await open(app, owner.accessToken)).statusCode, 201);
  t.equal((await open(app, owner.accessToken)).statusCode, 201);
  // The first instance sends its counts at most 100 ms later (more on a loaded machine); the
  // second then knows them.
  await new Promise((r) => setTimeout(r, 1000));
  const third = await open(second, owner.accessToken);
  t.equal(third.statusCode, 201);
  t.equal(third.headers['ratelimit-remaining'], '0', 'the second instance counts the first’s two');
  t.equal((await open(second, owner.accessToken)).statusCode, 429);
  // The first instance learns of the second's counts with its own next sync: until then it
  // decides on what it knew (the documented bound: one sync interval of its own traffic).
  await open(app, owner.accessToken);
  await new Promise((r) => setTimeout(r, 1000));
  t.equal((await open(app, owner.accessToken)).statusCode, 429, 'then the first the second’s');
});

t.test('signup and login are limited per address', async (t) => {
  const { app, signup } = await startCommandService(t, {
    options: { authPerIpPerMinute: 3 },
  });
  const owner = await signup();
  const login = () =>
    app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: owner.email, password: 'wrong password' },
    });
  t.equal((await login()).statusCode, 401);
  t.equal((await login()).statusCode, 401);
  const limited = await login();
  t.equal(limited.statusCode, 429);
  t.equal(limited.json().code, 'rate_limited');
  t.ok(limited.headers['retry-after']);
  const business = await open(app, owner.accessToken);
  t.equal(business.statusCode, 201, 'the API itself counts per user, not per address');
});

t.test('behind the gateway, the address limit is per client, not per gateway', async (t) => {
  const { app, signup } = await startCommandService(t, {
    options: { authPerIpPerMinute: 2, trustProxy: trustProxyOf(loadConfig({}).TRUST_PROXY) },
  });
  const owner = await signup();
  const login = (from: string, client: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      remoteAddress: from,
      headers: { 'x-forwarded-for': client },
      payload: { email: owner.email, password: 'wrong password' },
    });
  // Through the gateway (loopback, trusted by default): each client has its own budget.
  for (const client of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
    t.equal((await login('127.0.0.1', client)).statusCode, 401, client);
    t.equal((await login('127.0.0.1', client)).statusCode, 401, client);
  }
  t.equal((await login('127.0.0.1', '203.0.113.1')).statusCode, 429, 'the third from one client');
  // From a peer nobody trusts, X-Forwarded-For is the peer's word only: it counts as itself.
  t.equal((await login('198.51.100.7', '203.0.113.50')).statusCode, 401);
  t.equal((await login('198.51.100.7', '203.0.113.51')).statusCode, 401);
  t.equal((await login('198.51.100.7', '203.0.113.52')).statusCode, 429, 'a spoofed header');
});

t.test('bad tokens from an address past its limit get 429; its valid ones pass', async (t) => {
  const { app, eventStore, signup } = await startCommandService(t, {
    redis: true,
    config: { AUTH_FAILURES_PER_IP_PER_MINUTE: 3 },
  });
  const owner = await signup();
  const from = (remoteAddress: string, authorization: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/accounts',
      remoteAddress,
      headers: { authorization },
      payload: { name: 'Guessing', currency: 'EUR' },
    });
  const good = `Bearer ${owner.accessToken}`;
  t.equal((await from('10.1.0.1', good)).statusCode, 201, 'valid tokens do not count');
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await from('10.1.0.1', 'Bearer x.y.z')).statusCode);
  t.same(statuses, [401, 401, 401, 429, 429], 'three refusals, then 429');
  const head = await eventStore.headPosition();
  const blocked = await from('10.1.0.1', 'Bearer x.y.z');
  t.equal(blocked.statusCode, 429, 'until the window ends its bad tokens get 429');
  t.equal(blocked.json().code, 'rate_limited');
  t.match(blocked.json().detail, /invalid token from this address/);
  t.ok(Number(blocked.headers['retry-after']) >= 1, 'Retry-After');
  t.equal(await eventStore.headPosition(), head, 'nothing written');
  t.equal((await from('10.1.0.1', good)).statusCode, 201, 'a valid token from it still passes');
  t.equal((await from('10.1.0.2', good)).statusCode, 201, 'other addresses are not limited');
  const noToken = await app.inject({
    method: 'POST',
    url: '/v1/accounts',
    remoteAddress: '10.1.0.3',
  });
  t.equal(noToken.statusCode, 401, 'a missing token is a refusal like a bad one');
});

t.test('systems with different REDIS_KEY_PREFIX count apart on one Redis', async (t) => {
  // The prefix was hard-coded: two systems on one machine shared every per-user and
  // per-address count.
  const { app, restart, signup, redisKeyPrefix } = await startCommandService(t, {
    redis: true,
    config: { RATE_LIMIT_PER_USER_PER_MINUTE: 2, RATE_LIMIT_PER_TENANT_PER_MINUTE: 100 },
  });
  const owner = await signup();
  t.equal((await open(app, owner.accessToken)).statusCode, 201);
  t.equal((await open(app, owner.accessToken)).statusCode, 201);
  await new Promise((r) => setTimeout(r, 1000));
  const redis = new Redis(TEST_REDIS_URL);
  t.teardown(() => redis.quit());
  const keys = await redis.keys(`${redisKeyPrefix}rl:user:*`);
  t.equal(keys.length, 1, 'the counter is under REDIS_KEY_PREFIX, then rl:');

  const same = await restart();
  t.equal((await open(same, owner.accessToken)).statusCode, 429, 'the same prefix shares');
  // Under the harness's prefix still, so its teardown deletes these keys too.
  const other = await restart({ REDIS_KEY_PREFIX: `${redisKeyPrefix}other:` });
  t.equal((await open(other, owner.accessToken)).statusCode, 201, 'another counts apart');
  t.equal((await open(other, owner.accessToken)).statusCode, 201);
  t.equal((await open(other, owner.accessToken)).statusCode, 429);
});
