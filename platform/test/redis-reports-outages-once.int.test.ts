import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { createRedis, createServiceRedis } from '../src/redis.js';
import { deadPort } from '../src/testing/ports.js';

t.test('an unreachable Redis is reported once, however often the client retries', async (t) => {
  const errors: unknown[] = [];
  let attempts = 0;
  const redis = createRedis(`redis://127.0.0.1:${await deadPort()}`, {
    onDown: (e) => errors.push(e),
  });
  redis.on('reconnecting', () => {
    attempts++;
  });
  t.teardown(() => redis.disconnect());
  while (attempts < 3) await sleep(20);
  t.equal(errors.length, 1, `one report over ${attempts} reconnect attempts`);
  t.match(String(errors[0]), /ECONNREFUSED/);
});

t.test(
  'an outage that began before the service had its logger is logged when it gets it',
  async (t) => {
    const { redis, logTo } = createServiceRedis(`redis://127.0.0.1:${await deadPort()}`);
    t.teardown(() => redis?.disconnect());
    let attempts = 0;
    redis?.on('reconnecting', () => {
      attempts++;
    });
    while (attempts < 2) await sleep(20);
    const warnings: string[] = [];
    logTo({ warn: (_obj, msg) => warnings.push(msg), info: () => undefined });
    t.same(warnings, ['redis unreachable; rate limits count per instance']);
    while (attempts < 4) await sleep(20);
    t.equal(warnings.length, 1, 'and once only');
  },
);
