import {
  createEventStore,
  createPool,
  createServiceRedis,
  expireIdempotencyKeys,
  trustProxyOf,
  waitForPostgres,
} from '@techflow/platform';
import { runService } from '@techflow/platform/http';
import {
  createIdentityDb,
  expireSealedResponses,
  migrateIdentity,
} from '@techflow/platform/identity';
import { buildApp } from './app.js';
import { createAppendMetrics } from './append-metrics.js';

// The only place that reads the environment, opens connections and listens.
await runService('command', async ({ config, log }) => {
  await waitForPostgres(config.DATABASE_URL, { timeoutMs: config.POSTGRES_WAIT_MS, log });
  const pool = createPool(config.DATABASE_URL, {
    max: config.PG_POOL_SIZE,
    applicationName: 'techflow-command',
  });
  await migrateIdentity(pool);
  // Migrates the event store's schema first.
  const appendMetrics = createAppendMetrics();
  const eventStore = await createEventStore(config, pool, {
    metrics: appendMetrics,
    batchIntervalMs: config.APPEND_BATCH_INTERVAL_MS,
  });
  const { redis, logTo: logRedisTo } = createServiceRedis(config.REDIS_URL);

  const app = await buildApp(
    config,
    { pool, eventStore, appendMetrics, ...(redis ? { redis } : {}) },
    { trustProxy: trustProxyOf(config.TRUST_PROXY) },
  );
  logRedisTo(app.log);
  // Closed after the server stops taking requests and in-flight ones have finished.
  app.addHook('onClose', async () => {
    await eventStore.close();
    await redis?.quit();
    await pool.end();
  });
  // Forget old Idempotency-Key answers hourly; the timer never keeps the process alive.
  const identity = createIdentityDb(pool);
  const expireKeys = setInterval(() => {
    const hours = config.IDEMPOTENCY_RETENTION_HOURS;
    Promise.all([expireIdempotencyKeys(pool, hours), expireSealedResponses(identity, hours)]).catch(
      (err: unknown) => app.log.warn({ err }, 'expiring idempotency keys failed'),
    );
  }, 3_600_000);
  expireKeys.unref();
  app.addHook('onClose', async () => clearInterval(expireKeys));
  return { app, port: config.COMMAND_PORT, portVariable: 'COMMAND_PORT' };
});
