import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { cleanupOnKill } from './cleanup-on-kill.js';

export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export interface TestRedisKeys {
  /** A REDIS_KEY_PREFIX nobody else uses: a test's counters never meet another's. */
  readonly prefix: string;
  /** Deletes every key under the prefix. */
  cleanup(): Promise<void>;
}

/** A prefix for the Redis keys the code under test writes, and their removal. */
export function createTestRedisKeys(): TestRedisKeys {
  const prefix = `tftest-${Date.now().toString(36)}${randomBytes(4).toString('hex')}:`;
  const cleanup = async () => {
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
    try {
      await redis.connect();
      // SCAN, not KEYS: the server may hold many other keys.
      for await (const batch of redis.scanStream({ match: `${prefix}*`, count: 500 })) {
        const keys: string[] = batch;
        if (keys.length > 0) await redis.del(...keys);
      }
    } finally {
      redis.disconnect();
    }
  };
  const onKill = cleanupOnKill(cleanup);
  return {
    prefix,
    async cleanup() {
      await cleanup();
      onKill.forget();
    },
  };
}
