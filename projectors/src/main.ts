import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  type Config,
  ConfigError,
  connectNats,
  createEventStore,
  createKysely,
  ensureEventStream,
  migrateProjections,
  redactUrl,
  waitForPostgres,
} from '@techflow/platform';
import { runService } from '@techflow/platform/http';
import { buildProjectors, type ProjectorsRole } from './app.js';
import { createProjectorsPool } from './pool.js';
import type { ReadModelDatabase } from './projection.js';
import { migrateRelay } from './relay/checkpoint.js';

const ROLES: readonly ProjectorsRole[] = ['relay', 'projections', 'all'];

/** `--role=relay` on the command line, else PROJECTORS_ROLE (checked by loadConfig). */
function roleFrom(argv: readonly string[], config: Config): ProjectorsRole {
  const flag = argv.find((a) => a.startsWith('--role='))?.slice('--role='.length);
  if (flag === undefined) return config.PROJECTORS_ROLE;
  const role = ROLES.find((r) => r === flag);
  if (!role) {
    throw new ConfigError(
      `invalid configuration: --role: expected one of ${ROLES.join(', ')}, got '${flag}'`,
    );
  }
  return role;
}

await runService('projectors', async ({ config, log }) => {
  const role = roleFrom(process.argv, config);
  await waitForPostgres(config.DATABASE_URL, { timeoutMs: config.POSTGRES_WAIT_MS, log });
  const pool = createProjectorsPool(config.DATABASE_URL, { max: config.PG_POOL_SIZE, role });
  // Prepared statements: a live batch's one statement repeats its text (a tenant, the same
  // tables), and parsing and planning it cost Postgres about as much as running it.
  const db = createKysely<ReadModelDatabase>(pool, { prepare: true });
  await migrateProjections(pool);
  await migrateRelay(db);
  // The store the command service writes to (EVENT_STORE): reading another one, the relay
  // would publish nothing and no read model would ever move. Migrates schema `es` first.
  const eventStore = await createEventStore(config, pool);
  const nc = await connectNats(config.NATS_URL, {
    name: `projectors-${role}`,
    onWaiting: (waitedMs) =>
      log.warn({ url: redactUrl(config.NATS_URL), waitedMs }, 'waiting for NATS'),
    onStatus: (status) =>
      (status.type === 'reconnect' ? log.info : log.warn).call(log, { nats: status.type }, 'NATS'),
  });
  const jsm = await jetstreamManager(nc);
  await ensureEventStream(jsm, {
    name: config.NATS_STREAM,
    subjectPrefix: config.NATS_SUBJECT_PREFIX,
  });

  const { app } = await buildProjectors(
    config,
    { pool, db, eventStore, nc, js: jetstream(nc), jsm },
    {
      role,
      afterStop: async () => {
        await eventStore.close();
        await nc.drain();
        await db.destroy();
      },
    },
  );
  log.info({ role }, 'projectors started');
  return { app, port: config.PROJECTORS_PORT, portVariable: 'PROJECTORS_PORT' };
});
