import {
  createPool,
  createRedis,
  ensureDatabase,
  loadConfig,
  migrateProjections,
  trustProxyOf,
} from '@techflow/platform';
import { closeOnSignals } from '@techflow/platform/http';
import { migrateIdentity } from '@techflow/platform/identity';
import { buildApp } from './app.js';
import { createCheckpointTracker } from './min-position.js';

// The only place that reads the environment, opens connections and listens.
const config = loadConfig();
await ensureDatabase(config.DATABASE_URL);
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
// Redis is optional: while it is away each instance limits on its own counts.
let logRedis: ((event: 'down' | 'up', error?: unknown) => void) | undefined;
const redis = config.REDIS_URL
  ? createRedis(config.REDIS_URL, {
      onDown: (error) => logRedis?.('down', error),
      onUp: () => logRedis?.('up'),
    })
  : undefined;

const app = await buildApp(
  config,
  { pool, checkpoints, ...(redis ? { redis } : {}) },
  { trustProxy: trustProxyOf(config.TRUST_PROXY) },
);
logRedis = (event, error) =>
  event === 'down'
    ? app.log.warn({ err: error }, 'redis unreachable; rate limits count per instance')
    : app.log.info('redis reachable again');
logListenerError = (error) => app.log.warn({ err: error }, 'checkpoint listener');
await checkpoints.start();
// Closed after the server stops taking requests and in-flight ones have finished.
app.addHook('onClose', async () => {
  await checkpoints.close();
  await redis?.quit();
  await pool.end();
});
closeOnSignals(app, config.SHUTDOWN_GRACE_MS);
await app.listen({ port: config.QUERY_PORT, host: config.HOST });
