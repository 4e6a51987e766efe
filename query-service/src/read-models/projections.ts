import type { ProjectionCheckpointsTable } from '@techflow/platform';
import type { Selectable } from 'kysely';
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
