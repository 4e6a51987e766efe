import { CHECKPOINT_CHANNEL } from '@techflow/platform';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Projection, ReadModelDatabase } from '../projection.js';

export interface Checkpoint {
  readonly position: bigint;
  readonly version: number;
  readonly status: 'running' | 'rebuilding' | 'stopped' | 'failed';
  readonly lastError: string | null;
}

/** Reads the projection's checkpoint, creating it at 0 on first start. */
export async function loadCheckpoint(
  db: Kysely<ReadModelDatabase>,
  projection: Projection,
): Promise<Checkpoint> {
  await db
    .insertInto('projections.checkpoints')
    .values({ name: projection.name, version: projection.version, position: 0n, status: 'running' })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db
    .selectFrom('projections.checkpoints')
    .select(['position', 'version', 'status', 'last_error'])
    .where('name', '=', projection.name)
    .executeTakeFirstOrThrow();
  return {
    position: BigInt(row.position),
    version: row.version,
    status: row.status,
    lastError: row.last_error,
  };
}

/**
 * Moves the checkpoint inside the batch's transaction and tells the query service, whose
 * X-Min-Position reads wait on the channel. NOTIFY is delivered only at commit, so a listener
 * never hears of a position whose rows it cannot yet see.
 */
export async function advanceCheckpoint(
  trx: Kysely<ReadModelDatabase>,
  name: string,
  position: bigint,
): Promise<void> {
  await sql`with ${checkpointMove(name, position)} select 1`.execute(trx);
}

/**
 * The checkpoint move as a data-modifying CTE named `checkpoint_move`, for a projection's
 * one-statement batch (Projection.applyInOneStatement). The NOTIFY is in its RETURNING: a
 * data-modifying CTE always runs to completion, and a notification is sent only at commit.
 */
export function checkpointMove(name: string, position: bigint): RawBuilder<unknown> {
  return sql`checkpoint_move as (
    update projections.checkpoints
    set position = ${position.toString()}, status = 'running', last_error = null,
      updated_at = now()
    where name = ${name}
    returning pg_notify(${CHECKPOINT_CHANNEL}, ${`${name}:${position}`})
  )`;
}

export async function setStatus(
  db: Kysely<ReadModelDatabase>,
  name: string,
  status: Checkpoint['status'],
  lastError: string | null,
): Promise<void> {
  await db
    .updateTable('projections.checkpoints')
    .set({ status, last_error: lastError, updated_at: new Date() })
    .where('name', '=', name)
    .execute();
}
