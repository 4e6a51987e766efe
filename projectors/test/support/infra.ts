import {
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  connectNats,
  createKysely,
  createPool,
  createPostgresEventStore,
  type EventStore,
  ensureEventStream,
  migrateEventStore,
  migrateProjections,
  type Pool,
} from '@techflow/platform';
import {
  createTestDatabase,
  createTestNats,
  type TestDatabase,
  type TestNats,
} from '@techflow/platform/testing';
import type { Kysely } from 'kysely';
import type { ReadModelDatabase } from '../../src/projection.js';
import { migrateRelay } from '../../src/relay/checkpoint.js';

/** A real Postgres database with the event store and projections schemas, and a real stream. */
export interface Infra {
  readonly database: TestDatabase;
  readonly nats: TestNats;
  readonly pool: Pool;
  readonly db: Kysely<ReadModelDatabase>;
  readonly eventStore: EventStore;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  close(): Promise<void>;
}

export async function createInfra(): Promise<Infra> {
  const database = await createTestDatabase('tf_proj');
  const nats = createTestNats();
  const pool = createPool(database.url, { max: 5, applicationName: 'projectors-test' });
  await migrateEventStore(pool);
  await migrateProjections(pool);
  const db = createKysely<ReadModelDatabase>(pool);
  await migrateRelay(db);
  const eventStore = createPostgresEventStore(pool, { pollMs: 200 });
  const nc = await connectNats(nats.url, { name: 'projectors-test' });
  const jsm = await jetstreamManager(nc);
  await ensureEventStream(jsm, { name: nats.stream, subjectPrefix: nats.subjectPrefix });
  return {
    database,
    nats,
    pool,
    db,
    eventStore,
    nc,
    js: jetstream(nc),
    jsm,
    async close() {
      await eventStore.close().catch(() => undefined);
      await nc.close().catch(() => undefined);
      await nats.cleanup();
      await db.destroy();
      await database.drop();
    },
  };
}

/** Polls `probe` until it returns true; fails after `limitMs` so a broken run cannot hang. */
export async function eventually(
  what: string,
  probe: () => Promise<boolean>,
  limitMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
