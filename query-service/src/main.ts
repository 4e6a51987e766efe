import {
  createEventStore,
  createPool,
  createServiceRedis,
  migrateProjections,
  trustProxyOf,
  waitForPostgres,
} from '@techflow/platform';
import { runService } from '@techflow/platform/http';
import { migrateIdentity } from '@techflow/platform/identity';
import { buildApp } from './app.js';
import { createCheckpointTracker } from './min-position.js';

// The only place that reads the environment, opens connections and listens.
await runService('query', async ({ config, log }) => {
  await waitForPostgres(config.DATABASE_URL, { timeoutMs: config.POSTGRES_WAIT_MS, log });
  const pool = createPool(config.DATABASE_URL, {
    max: config.PG_POOL_SIZE,
    applicationName: 'techflow-query',
  });
  // Both are idempotent and locked: whichever service starts first creates the schemas, so the
  // signing keys and the checkpoints table exist before the first request.
  await migrateIdentity(pool);
  await migrateProjections(pool);
  // Until the app (and its logger) exists, listener errors go nowhere; start() comes after.
  let logListenerError: (error: unknown) => void = () => undefined;
  const checkpoints = createCheckpointTracker({
    connectionString: config.DATABASE_URL,
    onError: (error) => logListenerError(error),
  });
  // The store EVENT_STORE names, for the projections' lag: es.log_head is the Postgres
  // store's own, and stays empty when the events are in EventStoreDB.
  const eventStore = await createEventStore(config, pool);
  const { redis, logTo: logRedisTo } = createServiceRedis(config.REDIS_URL);

  const app = await buildApp(
    config,
    { pool, checkpoints, eventStore, ...(redis ? { redis } : {}) },
    { trustProxy: trustProxyOf(config.TRUST_PROXY) },
  );
  logRedisTo(app.log);
  logListenerError = (error) => app.log.warn({ err: error }, 'checkpoint listener');
  await checkpoints.start();
  // Closed after the server stops taking requests and in-flight ones have finished.
  app.addHook('onClose', async () => {
    await checkpoints.close();
    await eventStore.close();
    await redis?.quit();
    await pool.end();
  });
  return { app, port: config.QUERY_PORT, portVariable: 'QUERY_PORT' };
});
