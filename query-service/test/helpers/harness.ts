import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ACCOUNTS_PROJECTION,
  createKysely,
  createPool,
  ensureTenantSchema,
  migrateProjections,
  type ProjectionsSchema,
  type TenantReadModels,
} from '@techflow/platform';
import { migrateIdentity } from '@techflow/platform/identity';
import { createTestDatabase } from '@techflow/platform/testing';
import { buildApp } from '../../src/app.js';
import { createCheckpointTracker } from '../../src/min-position.js';
import { advanceCheckpoint } from './read-models.js';
import { createTokenMinter } from './token.js';

interface Teardown {
  teardown(fn: () => Promise<void>): void;
}

export interface HarnessOptions {
  readonly minPositionWaitMs?: number;
}

/**
 * A fresh database with the identity and read-model migrations, a checkpoint tracker
 * LISTENing on it and the query app built over both; all closed and dropped in teardown.
 */
export async function startQueryService(t: Teardown, options: HarnessOptions = {}) {
  const database = await createTestDatabase('tf_query');
  const pool = createPool(database.url, { max: 3, applicationName: 'query-service-test' });
  const db = createKysely<TenantReadModels & ProjectionsSchema>(pool);
  const checkpoints = createCheckpointTracker({ connectionString: database.url });
  const closing: Array<() => Promise<unknown>> = [
    () => checkpoints.close(),
    () => db.destroy(),
    () => database.drop(),
  ];
  t.teardown(async () => {
    for (const close of closing) await close();
  });
  await migrateIdentity(pool);
  await migrateProjections(pool);
  await checkpoints.start();
  // The store the projections follow, as far as this service reads it: its head.
  let head = 0n;
  const eventStore = { name: 'test', headPosition: async () => head };
  const app = await buildApp(
    {
      LOG_LEVEL: 'silent',
      BODY_LIMIT_BYTES: 65_536,
      ACCESS_TOKEN_TTL_SECONDS: 900,
      MIN_POSITION_WAIT_MS: options.minPositionWaitMs ?? 5000,
      RATE_LIMIT_PER_USER_PER_MINUTE: 100_000,
      RATE_LIMIT_PER_TENANT_PER_MINUTE: 100_000,
      AUTH_FAILURES_PER_IP_PER_MINUTE: 1_000,
      // No Redis here: the limits count in memory.
      REDIS_KEY_PREFIX: 'tftest:',
    },
    { pool, checkpoints, eventStore },
    { collectDefaultMetrics: false },
  );
  closing.unshift(() => app.close());
  const bearer = await createTokenMinter(pool);

  /** A tenant with its read-model schema migrated, as after its first projected event. */
  const newTenant = async () => {
    const tenantId = randomUUID();
    await ensureTenantSchema(db, tenantId);
    return tenantId;
  };
  /** A projector's batch commit, returning once this instance's tracker has heard of it. */
  const advance = async (position: bigint, name = ACCOUNTS_PROJECTION) => {
    await advanceCheckpoint(db, position, name);
    while (checkpoints.position(name) !== position) await sleep(5);
  };
  /** Moves the event store's head (what lag is measured against). */
  const setHead = (position: bigint) => {
    head = position;
  };
  return { app, db, database, checkpoints, bearer, newTenant, advance, setHead };
}
