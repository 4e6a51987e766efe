import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import t from 'tap';

interface Teardown {
  teardown(fn: () => Promise<void> | void): void;
}

import { SharedCounters } from '../src/http/shared-counters.js';

const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** Two instances' counters on one Redis under a prefix of the test's own, removed afterwards. */
const setUp = (t: Teardown, syncEveryMs = 60_000) => {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const prefix = `tftest-counters-${randomBytes(6).toString('hex')}:`;
  const a = new SharedCounters({ redis, prefix, syncEveryMs });
  const b = new SharedCounters({ redis, prefix, syncEveryMs });
  t.teardown(async () => {
    await a.close();
    await b.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  return { redis, prefix, a, b };
};

t.test('a window is joined through Redis, then counted locally between syncs', async (t) => {
  const { redis, prefix, a, b } = setUp(t);
  t.equal((await a.increment('user:1', 60_000)).current, 1, 'the first one asks Redis');
  t.equal(await redis.get(`${prefix}user:1`), '1');
  const ttl = await redis.pttl(`${prefix}user:1`);
  t.ok(ttl > 59_000 && ttl <= 60_000, 'the shared window expires with the limit');
  for (let i = 2; i <= 5; i++) t.equal((await a.increment('user:1', 60_000)).current, i);
  t.equal(await redis.get(`${prefix}user:1`), '1', 'the rest wait for a sync');
  await a.sync();
  t.equal(await redis.get(`${prefix}user:1`), '5', 'one sync carries them');

  t.equal((await b.increment('user:1', 60_000)).current, 6, 'b joins knowing a’s five');
  t.equal((await b.increment('user:1', 60_000)).current, 7);
  t.equal((await a.increment('user:1', 60_000)).current, 6, 'a does not know b’s yet');
  await b.sync();
  await a.sync();
  t.equal(a.read('user:1').current, 8, 'after both synced, a counts all of them');
  t.equal(a.read('user:2').current, 0, 'keys are counted apart');
});

t.test('requests arriving while a window is joined wait for its answer', async (t) => {
  const { a, b } = setUp(t);
  for (let i = 0; i < 3; i++) await b.increment('user:3', 60_000);
  await b.sync();
  const counts = await Promise.all([1, 2, 3].map(() => a.increment('user:3', 60_000)));
  t.same(
    counts.map((c) => c.current),
    [6, 6, 6],
    'all three see b’s three and each other (the estimate is the window’s total)',
  );
});

t.test('two instances together admit at most one sync interval beyond the limit', async (t) => {
  const { a, b } = setUp(t);
  const max = 100;
  const perRound = 10;
  let admitted = 0;
  for (let round = 0; round < 30; round++) {
    for (let i = 0; i < perRound; i++) {
      for (const c of [a, b])
        if ((await c.increment('tenant:x', 60_000)).current <= max) admitted++;
    }
    await Promise.all([a.sync(), b.sync()]);
  }
  t.ok(admitted >= max, `admitted ${admitted}: the limit itself is reachable`);
  t.ok(admitted <= max + 2 * perRound, `admitted ${admitted} of ${max}`);
  await a.increment('tenant:x', 60_000);
  await a.sync();
  t.equal(a.read('tenant:x').current, 601, 'every request was counted, admitted or not');
});

t.test('a window that ends starts the count again', async (t) => {
  const { redis, prefix, a } = setUp(t);
  await a.increment('ip:1', 1000);
  await a.increment('ip:1', 1000);
  await a.sync();
  t.equal(await redis.get(`${prefix}ip:1`), '2');
  await new Promise((r) => setTimeout(r, 1100));
  t.equal(a.read('ip:1').current, 0);
  t.equal((await a.increment('ip:1', 1000)).current, 1);
  t.equal(await redis.get(`${prefix}ip:1`), '1', 'Redis started a new window too');
});

t.test('counts travel on their own every syncEveryMs', async (t) => {
  const { redis, prefix, a } = setUp(t, 20);
  await a.increment('user:9', 60_000);
  await a.increment('user:9', 60_000);
  for (let i = 0; i < 100 && (await redis.get(`${prefix}user:9`)) !== '2'; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  t.equal(await redis.get(`${prefix}user:9`), '2');
});

t.test('without Redis each instance keeps limiting on its own counts', async (t) => {
  // Nothing listens on port 1: every command fails at once.
  const down = new Redis('redis://127.0.0.1:1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  down.on('error', () => undefined);
  const c = new SharedCounters({ redis: down, prefix: 'tftest-down:', syncEveryMs: 60_000 });
  t.teardown(() => down.disconnect());
  for (let i = 1; i <= 3; i++) t.equal((await c.increment('user:1', 60_000)).current, i);
  await c.sync();
  t.equal(c.read('user:1').current, 3, 'unsent counts are kept');
  t.equal((await c.increment('user:1', 60_000)).current, 4);
  await c.close();
});

t.test('while Redis is away and the client retries, no request waits for it', async (t) => {
  // The services' client: offline queue on, reconnecting forever. A command sent now would
  // wait out the reconnect attempts; the counters must not send one.
  const away = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 1 });
  const failed = new Promise((resolve) => away.once('error', resolve));
  const c = new SharedCounters({ redis: away, prefix: 'tftest-away:', syncEveryMs: 50 });
  t.teardown(() => away.disconnect());
  await failed;
  const first = c.increment('user:1', 60_000);
  t.notOk(first instanceof Promise, 'answered at once, from the local count');
  t.equal((first as { current: number }).current, 1);
  t.equal((await c.increment('user:1', 60_000)).current, 2);
  await c.sync();
  t.equal(c.read('user:1').current, 2, 'kept for when Redis is back');
});

t.test('close sends what is pending', async (t) => {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const prefix = `tftest-counters-${randomBytes(6).toString('hex')}:`;
  t.teardown(async () => {
    await redis.del(`${prefix}user:1`);
    await redis.quit();
  });
  const c = new SharedCounters({ redis, prefix, syncEveryMs: 60_000 });
  for (let i = 0; i < 3; i++) await c.increment('user:1', 60_000);
  await c.close();
  t.equal(await redis.get(`${prefix}user:1`), '3');
});

t.test('counts of a window that ended are dropped, not sent into a new one', async (t) => {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const prefix = `tftest-counters-${randomBytes(6).toString('hex')}:`;
  let now = 1_000_000;
  const c = new SharedCounters({ redis, prefix, syncEveryMs: 60_000, now: () => now });
  t.teardown(async () => {
    await c.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  t.equal((await c.increment('ip:1', 2_000)).current, 1, 'joined through Redis');
  for (let i = 0; i < 3; i++) await c.increment('ip:1', 2_000);
  // The window ends before its pending three are sent (Redis away, or simply between syncs).
  now += 5_000;
  await c.sync();
  t.equal(await redis.get(`${prefix}ip:1`), '1', 'the ended window’s counts were not sent');
  t.equal(c.read('ip:1').current, 0, 'nor kept');
});
