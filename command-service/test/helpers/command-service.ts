import { randomBytes } from 'node:crypto';
import {
  createPool,
  createPostgresEventStore,
  type EventStore,
  migrateEventStore,
  type Pool,
} from '@techflow/platform';
import type { App } from '@techflow/platform/http';
import { migrateIdentity } from '@techflow/platform/identity';
import { createTestDatabase, type TestDatabase } from '@techflow/platform/testing';
import { Redis } from 'ioredis';
import { buildApp, type CommandServiceConfig, type CommandServiceOptions } from '../../src/app.js';
import type { AppendMetrics } from '../../src/append-metrics.js';

export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export const testConfig = (over: Partial<CommandServiceConfig> = {}): CommandServiceConfig => ({
  LOG_LEVEL: 'silent',
  BODY_LIMIT_BYTES: 16 * 1024,
  ACCESS_TOKEN_TTL_SECONDS: 900,
  REFRESH_TOKEN_TTL_SECONDS: 3600,
  RATE_LIMIT_PER_USER_PER_MINUTE: 100_000,
  RATE_LIMIT_PER_TENANT_PER_MINUTE: 100_000,
  AUTH_FAILURES_PER_IP_PER_MINUTE: 1_000,
  REDIS_KEY_PREFIX: 'tftest:',
  ...over,
});

export interface Teardown {
  teardown(fn: () => Promise<void> | void): void;
}

export interface Harness {
  readonly app: App;
  readonly db: TestDatabase;
  readonly pool: Pool;
  readonly eventStore: EventStore;
  /** The apps' REDIS_KEY_PREFIX, this test's own: its keys are deleted in teardown. */
  readonly redisKeyPrefix: string;
  /**
   * A second app on the same database and store: a restart, with empty caches; with `config`,
   * another system's instance on the same servers.
   */
  restart(config?: Partial<CommandServiceConfig>): Promise<App>;
  signup(overrides?: Partial<SignupBody>): Promise<SignedUp>;
}

export interface SignupBody {
  organizationName: string;
  email: string;
  password: string;
  name: string;
}

export interface SignedUp {
  tenantId: string;
  userId: string;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  email: string;
  password: string;
  auth: { authorization: string };
}

export interface HarnessOptions {
  readonly config?: Partial<CommandServiceConfig>;
  readonly options?: CommandServiceOptions;
  /** Count rate limits in Redis under a prefix of this test's own. */
  readonly redis?: boolean;
  /** Feed group-commit histograms from the store to /metrics, as main.ts does. */
  readonly appendMetrics?: AppendMetrics;
  /** What the apps append through, over the real store (which the harness still returns). */
  readonly wrapEventStore?: (store: EventStore) => EventStore;
}

/** A command service on its own fresh database; everything is closed and dropped in teardown. */
export async function startCommandService(t: Teardown, h: HarnessOptions = {}): Promise<Harness> {
  const db = await createTestDatabase('tf_cmd');
  const pool = createPool(db.url, { max: 4, applicationName: 'techflow-command-test' });
  await migrateEventStore(pool);
  await migrateIdentity(pool);
  const eventStore = createPostgresEventStore(
    pool,
    h.appendMetrics ? { metrics: h.appendMetrics } : {},
  );
  // Every Redis key this test's apps write starts with it (REDIS_KEY_PREFIX), and is deleted.
  const prefix = `tftest-rl-${randomBytes(6).toString('hex')}:`;
  const redis = h.redis ? new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 }) : undefined;
  const apps: App[] = [];
  const make = async (config: Partial<CommandServiceConfig> = {}) => {
    const app = await buildApp(
      testConfig({ REDIS_KEY_PREFIX: prefix, ...h.config, ...config }),
      {
        pool,
        eventStore: h.wrapEventStore ? h.wrapEventStore(eventStore) : eventStore,
        ...(redis ? { redis } : {}),
        ...(h.appendMetrics ? { appendMetrics: h.appendMetrics } : {}),
      },
      {
        collectDefaultMetrics: false,
        authPerIpPerMinute: 10_000,
        ...h.options,
      },
    );
    apps.push(app);
    return app;
  };
  const app = await make();
  t.teardown(async () => {
    for (const a of apps) await a.close();
    await eventStore.close();
    await pool.end();
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
    await db.drop();
  });
  let n = 0;
  const signup = async (overrides: Partial<SignupBody> = {}): Promise<SignedUp> => {
    n += 1;
    const body: SignupBody = {
      organizationName: `Org ${n}`,
      email: `owner${n}-${randomBytes(3).toString('hex')}@example.com`,
      password: 'correct horse battery staple',
      name: `Owner ${n}`,
      ...overrides,
    };
    const res = await app.inject({ method: 'POST', url: '/v1/signup', payload: body });
    if (res.statusCode !== 201) throw new Error(`signup failed: ${res.statusCode} ${res.body}`);
    const answer = res.json();
    return {
      ...answer,
      email: body.email,
      password: body.password,
      auth: { authorization: `Bearer ${answer.accessToken}` },
    };
  };
  return { app, db, pool, eventStore, redisKeyPrefix: prefix, restart: make, signup };
}
