import { randomUUID } from 'node:crypto';
import { Account, Organization } from '@techflow/domain';
import {
  type Config,
  type EventStore,
  eventStoreReadyCheck,
  redisAnswers,
} from '@techflow/platform';
import {
  type App,
  authenticateWithFailureLimit,
  authPlugin,
  createBaseApp,
  ipRateLimit,
  principalRateLimit,
  rateLimitPlugin,
  refuseUndeclaredQueries,
} from '@techflow/platform/http';
import { createIdentityDb, loadSigningKeys } from '@techflow/platform/identity';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { AppendMetrics } from './append-metrics.js';
import { createCommandMetrics } from './command-metrics.js';
import { createCommandHandler } from './handle-command.js';
import { accountRoutes } from './routes/accounts.js';
import { authRoutes, jwksRoutes } from './routes/auth.js';

export type CommandServiceConfig = Pick<
  Config,
  | 'LOG_LEVEL'
  | 'BODY_LIMIT_BYTES'
  | 'ACCESS_TOKEN_TTL_SECONDS'
  | 'REFRESH_TOKEN_TTL_SECONDS'
  | 'RATE_LIMIT_PER_USER_PER_MINUTE'
  | 'RATE_LIMIT_PER_TENANT_PER_MINUTE'
  | 'AUTH_FAILURES_PER_IP_PER_MINUTE'
  | 'REDIS_KEY_PREFIX'
>;

/** What the command service runs on; main.ts builds the real ones, tests their own. */
export interface CommandServiceDeps {
  /** Holds the identity schema (and, for the Postgres store, the events). Not closed here. */
  readonly pool: pg.Pool;
  /** Not closed here: whoever made it closes it. */
  readonly eventStore: EventStore;
  /** Rate-limit counters shared across instances; in memory without it. */
  readonly redis?: Redis;
  readonly clock?: () => Date;
  readonly ids?: () => string;
  /** The group-commit histograms the event store feeds, shown on this app's /metrics. */
  readonly appendMetrics?: AppendMetrics;
}

export interface CommandServiceOptions {
  /** Signup, login, refresh and logout per client address; default 60. */
  readonly authPerIpPerMinute?: number;
  /** The limits' window; default one minute. */
  readonly rateLimitWindowMs?: number;
  /** Aggregates cached per decider; default 10,000. */
  readonly aggregateCacheSize?: number;
  /** Process metrics; tests building many apps turn them off. */
  readonly collectDefaultMetrics?: boolean;
  /** Peers whose X-Forwarded-For names the client (config TRUST_PROXY). */
  readonly trustProxy?: boolean | string;
}

/**
 * The command service as a Fastify app that never listens. Expects the event store and the
 * identity schema to be migrated (main.ts does it at start).
 */
export async function buildApp(
  config: CommandServiceConfig,
  deps: CommandServiceDeps,
  options: CommandServiceOptions = {},
): Promise<App> {
  const clock = deps.clock ?? (() => new Date());
  const newId = deps.ids ?? randomUUID;
  const signingKeys = await loadSigningKeys(deps.pool);
  const { redis } = deps;

  const app = await createBaseApp({
    name: 'command',
    description: 'TechFlow commands: every write of the public API.',
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT_BYTES,
    collectDefaultMetrics: options.collectDefaultMetrics ?? true,
    trustProxy: options.trustProxy ?? false,
    readyChecks: {
      postgres: () => deps.pool.query('select 1'),
      // Every command reads and appends there: away, the service is not ready.
      ...eventStoreReadyCheck(deps.eventStore),
    },
    // Without Redis the limits count per instance: degraded, not down.
    ...(redis ? { optionalReadyChecks: { redis: () => redisAnswers(redis) } } : {}),
  });

  await app.register(authPlugin, {
    keys: {
      kid: signingKeys.current.kid,
      publicKeyPem: signingKeys.current.publicKeyPem,
      privateKeyPem: signingKeys.current.privateKeyPem,
    },
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  });
  await app.register(rateLimitPlugin, {
    ...(redis ? { redis } : {}),
    redisKeyPrefix: config.REDIS_KEY_PREFIX,
  });

  const metrics = createCommandMetrics(app.metrics);
  deps.appendMetrics?.register(app.metrics);
  const handlerOptions = {
    eventStore: deps.eventStore,
    metrics,
    clock,
    newId,
    ...(options.aggregateCacheSize === undefined ? {} : { cacheSize: options.aggregateCacheSize }),
  };
  const accounts = createCommandHandler(Account, handlerOptions);
  const organizations = createCommandHandler(Organization, handlerOptions);
  const windowMs = options.rateLimitWindowMs ?? 60_000;

  // Every route below: a query string it does not declare is refused, not ignored.
  refuseUndeclaredQueries(app);
  await app.register(jwksRoutes, { signingKeys });
  await app.register(authRoutes, {
    organizations,
    identity: createIdentityDb(deps.pool),
    signingKeys,
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    newId,
    clock,
    limit: ipRateLimit(app, options.authPerIpPerMinute ?? 60, windowMs),
  });

  // The business API: token first (before the body is even read), then the limits.
  await app.register(async (v1) => {
    v1.addHook(
      'onRequest',
      authenticateWithFailureLimit(v1, config.AUTH_FAILURES_PER_IP_PER_MINUTE, windowMs),
    );
    v1.addHook(
      'onRequest',
      principalRateLimit(v1, {
        perUserPerMinute: config.RATE_LIMIT_PER_USER_PER_MINUTE,
        perTenantPerMinute: config.RATE_LIMIT_PER_TENANT_PER_MINUTE,
        windowMs,
      }),
    );
    await v1.register(accountRoutes, { accounts, newId });
  });

  return app;
}
