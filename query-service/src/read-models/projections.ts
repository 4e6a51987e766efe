import type { ProjectionCheckpointsTable } from '@techflow/platform';
import { type Selectable, sql } from 'kysely';
import { orIfMissing, type ReadDb } from './db.js';

export type Checkpoint = Pick<
  Selectable<ProjectionCheckpointsTable>,
  'name' | 'position' | 'status' | 'last_error'
>;

export async function listCheckpoints(db: ReadDb): Promise<Checkpoint[]> {
  return orIfMissing(
    db
      .selectFrom('projections.checkpoints')
      .select(['name', 'position', 'status', 'last_error'])
      .orderBy('name')
      .execute(),
    [],
  );
}

/**
 * The event store's head position, for lag. Read from `es.log_head` when the Postgres event
 * store's schema is in this database; 0 otherwise (another store, or none yet), which makes
 * the lag 0 rather than a guess.
 */
export async function eventStoreHead(db: ReadDb): Promise<bigint> {
  // A missing table is a parse error of the whole statement, so no `to_regclass` guard inside
  // the query can help: ask, and treat "no such relation" as "no head".
  const found = await orIfMissing(
    sql<{ position: string | null }>`select max(position)::text as position from es.log_head`
      .execute(db)
      .then((r) => r.rows),
    [],
  );
  const position = found[0]?.position;
  return position ? BigInt(position) : 0n;
}
