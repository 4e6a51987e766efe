import { createKysely, createPool, migrateProjections, type Pool } from '@techflow/platform';
import { createTestDatabase, type TestDatabase } from '@techflow/platform/testing';
import type { Kysely } from 'kysely';
import type { ReadModelDatabase } from '../../src/projection.js';

export interface ProjectionDb {
  readonly database: TestDatabase;
  readonly pool: Pool;
  readonly db: Kysely<ReadModelDatabase>;
  close(): Promise<void>;
}

/** A fresh database with schema `projections`; close() ends the pool and drops it. */
export async function createProjectionDb(max = 3): Promise<ProjectionDb> {
  const database = await createTestDatabase('tf_proj');
  const pool = createPool(database.url, { max, applicationName: 'projectors-test' });
  await migrateProjections(pool);
  const db = createKysely<ReadModelDatabase>(pool);
  return {
    database,
    pool,
    db,
    async close() {
      await db.destroy();
      await database.drop();
    },
  };
}
