import { CHECKPOINT_CHANNEL } from '@techflow/platform';
import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
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
 * When the stored read model was built by another version of the projection: in one
 * transaction, clears what the projection wrote and moves its checkpoint back to 0 at the
 * code's version, status 'rebuilding', so the runner refills it from the event store. The
 * checkpoint row is locked first and its version read again, so of several processes
 * starting at once only the first resets. Returns the checkpoint to start from.
 */
export async function resetIfOtherVersion(
  db: Kysely<ReadModelDatabase>,
  projection: Projection,
  reset: (trx: Transaction<ReadModelDatabase>) => Promise<void>,
): Promise<'reset' | 'current'> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('projections.checkpoints')
      .select('version')
      .where('name', '=', projection.name)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (row.version === projection.version) return 'current';
    await reset(trx);
    await trx
      .updateTable('projections.checkpoints')
      .set({
        position: '0',
        version: projection.version,
        status: 'rebuilding',
        last_error: null,
        updated_at: new Date(),
      })
      .where('name', '=', projection.name)
      .execute();
    // Readers waiting on positions the old model had must now wait for the rebuilt one.
    await sql`select pg_notify(${CHECKPOINT_CHANNEL}, ${`${projection.name}:0`})`.execute(trx);
    return 'reset';
  });
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
    set position = ${position.toString()}, last_error = null,
      status = case status when 'rebuilding' then 'rebuilding' else 'running' end,
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
