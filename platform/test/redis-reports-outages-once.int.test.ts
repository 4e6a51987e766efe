import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { createRedis } from '../src/redis.js';

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise((r) => server.close(r));
  return typeof address === 'object' && address ? address.port : 1;
}

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
