import {
  ACCOUNTS_PROJECTION,
  type Config,
  createKysely,
  type EventStore,
  eventStoreReadyCheck,
  type ProjectionsSchema,
  redisAnswers,
  type TenantReadModels,
} from '@techflow/platform';
import {
  type App,
  authenticateWithFailureLimit,
  authPlugin,
  createBaseApp,
  principalRateLimit,
  rateLimitPlugin,
  requireRole,
} from '@techflow/platform/http';
import { loadSigningKeys } from '@techflow/platform/identity';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { CheckpointTracker } from './min-position.js';
import { readStore } from './plugins/read-store.js';
import { createReadMetrics } from './read-metrics.js';
import { readYourWrites, X_POSITION } from './read-your-writes.js';
import { accountRoutes } from './routes/accounts.js';
import { adminProjectionRoutes } from './routes/admin-projections.js';
import { memberRoutes } from './routes/members.js';
import { sharedSchemas } from './schemas/index.js';

export type QueryServiceConfig = Pick<
  Config,
  | 'LOG_LEVEL'
  | 'BODY_LIMIT_BYTES'
  | 'ACCESS_TOKEN_TTL_SECONDS'
  | 'MIN_POSITION_WAIT_MS'
  | 'RATE_LIMIT_PER_USER_PER_MINUTE'
  | 'RATE_LIMIT_PER_TENANT_PER_MINUTE'
  | 'AUTH_FAILURES_PER_IP_PER_MINUTE'
  | 'REDIS_KEY_PREFIX'
>;

/** What the query service runs on; main.ts builds the real ones, tests their own. */
export interface QueryServiceDeps {
  /** Holds the read models and the identity schema (signing keys). Not closed here. */
  readonly pool: pg.Pool;
  /** Started by the caller and closed by the caller. */
  readonly checkpoints: CheckpointTracker;
  /** Read for its head alone (projection lag); closed by the caller. */
  readonly eventStore: Pick<EventStore, 'name' | 'headPosition'>;
  /** Rate-limit counters shared with the other services; in memory without it. */
  readonly redis?: Redis;
}

export interface QueryServiceOptions {
  /** Process metrics; tests building many apps turn them off. */
  readonly collectDefaultMetrics?: boolean;
  /** Peers whose X-Forwarded-For names the client (config TRUST_PROXY). */
  readonly trustProxy?: boolean | string;
}

/**
 * The query service: reads of the per-tenant read models, each scoped to the tenant in the
 * caller's token and gated on X-Min-Position. Reads of the event store: its head, for the
 * projections' lag. Never listens.
 * Expects the identity schema to be migrated (main.ts does it at start).
 */
export async function buildApp(
  config: QueryServiceConfig,
  deps: QueryServiceDeps,
  options: QueryServiceOptions = {},
): Promise<App> {
  const { pool, checkpoints, redis, eventStore } = deps;
  // Verifies only: the private key stays with the command service that signs.
  const signingKeys = await loadSigningKeys(pool);
  const app = await createBaseApp({
    name: 'query',
    description: 'TechFlow reads: the per-tenant read models.',
    readHeaders: {
      headers: { 'X-Position': X_POSITION },
      on: (path) => !path.startsWith('/v1/admin/'),
    },
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT_BYTES,
    collectDefaultMetrics: options.collectDefaultMetrics ?? true,
    trustProxy: options.trustProxy ?? false,
    readyChecks: {
      postgres: () => pool.query('select 1'),
      checkpoints: async () => {
        if (!checkpoints.isListening()) throw new Error('not listening for checkpoints');
      },
    },
    // Without Redis the limits count per instance, without the event store only the
    // projections' lag is unknown: degraded, not down.
    optionalReadyChecks: {
      ...eventStoreReadyCheck(eventStore),
      ...(redis ? { redis: () => redisAnswers(redis) } : {}),
    },
  });
  await app.register(authPlugin, {
    keys: { kid: signingKeys.current.kid, publicKeyPem: signingKeys.current.publicKeyPem },
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  });
  await app.register(rateLimitPlugin, {
    ...(redis ? { redis } : {}),
    redisKeyPrefix: config.REDIS_KEY_PREFIX,
  });
  await app.register(readStore, {
    db: createKysely<TenantReadModels & ProjectionsSchema>(pool, { prepare: true }),
    checkpoints,
  });

  for (const schema of sharedSchemas) app.addSchema(schema);

  const waited = createReadMetrics(app.metrics, checkpoints, ACCOUNTS_PROJECTION);
  const limits = {
    perUserPerMinute: config.RATE_LIMIT_PER_USER_PER_MINUTE,
    perTenantPerMinute: config.RATE_LIMIT_PER_TENANT_PER_MINUTE,
  };

  // One count of refused tokens per address for every route behind a token.
  const authenticate = authenticateWithFailureLimit(app, config.AUTH_FAILURES_PER_IP_PER_MINUTE);

  // Tenant reads: token, limits, then held until the accounts projection reached
  // X-Min-Position (a preHandler: after validation, so a bad header never parks a request).
  await app.register(async (reads) => {
    reads.addHook('onRequest', authenticate);
    reads.addHook('onRequest', principalRateLimit(reads, limits));
    reads.addHook(
      'preHandler',
      readYourWrites({
        tracker: checkpoints,
        projection: ACCOUNTS_PROJECTION,
        waitMs: config.MIN_POSITION_WAIT_MS,
        waited,
      }),
    );
    await reads.register(accountRoutes);
    await reads.register(memberRoutes);
  });

  await app.register(async (admin) => {
    admin.addHook('onRequest', authenticate);
    admin.addHook('onRequest', principalRateLimit(admin, limits));
    admin.addHook('preHandler', requireRole('owner', 'admin'));
    await admin.register(adminProjectionRoutes, { eventStore });
  });

  return app;
}
