import { CHECKPOINT_CHANNEL } from '@techflow/platform';
import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { Projection, ReadModelDatabase } from '../projection.js';
import { releaseAllTenants } from './held-tenants.js';

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
 * When the stored read model was built by an older version of the projection: in one
 * transaction, clears what the projection wrote and moves its checkpoint back to 0 at the
 * code's version, status 'rebuilding', so the runner refills it from the event store.
 *
 * Locks in the order batches take them, tables first: `reset` truncates (waiting for batches
 * in flight, holding off new ones), then the checkpoint row is locked and its version read
 * again. Taking the row first deadlocked with an older runner's batch, which holds the
 * tables and then moves the checkpoint. Of several processes starting at once only the
 * first resets: the others find the version current and roll their truncation back.
 */
export async function resetIfOtherVersion(
  db: Kysely<ReadModelDatabase>,
  projection: Projection,
  reset: (trx: Transaction<ReadModelDatabase>) => Promise<void>,
): Promise<'reset' | 'current' | 'newer'> {
  try {
    return await db.transaction().execute(async (trx) => {
      await reset(trx);
      const row = await trx
        .selectFrom('projections.checkpoints')
        .select('version')
        .where('name', '=', projection.name)
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (row.version === projection.version) throw new NothingToReset('current');
      // A newer version's model (a rolling deploy's other half) is not this code's to undo.
      if (row.version > projection.version) throw new NothingToReset('newer');
      await releaseAllTenants(trx, projection.name);
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
      return 'reset' as const;
    });
  } catch (e) {
    if (e instanceof NothingToReset) return e.outcome;
    throw e;
  }
}

/** Rolls the reset's transaction back: the version was current or newer once locked. */
class NothingToReset extends Error {
  constructor(readonly outcome: 'current' | 'newer') {
    super(outcome);
  }
}

/** A batch's checkpoint move: from where this runner left it to the batch's last position. */
export interface CheckpointMove {
  readonly name: string;
  /** The code's projection version: the stored model must be this version's. */
  readonly version: number;
  readonly from: bigint;
  readonly to: bigint;
  /**
   * The held tenants' generation the batch was built with (it skipped their events): a hold
   * or release since then means it skipped the wrong ones. Undefined: not checked (a
   * projection's own tests of its statement).
   */
  readonly heldGeneration?: bigint;
}

/** The move as parts of a projection's one-statement batch (Projection.applyInOneStatement). */
export interface CheckpointStep {
  /** A data-modifying CTE named `checkpoint_move`. */
  readonly cte: RawBuilder<unknown>;
  /**
   * A select-list expression failing the whole statement (SQLSTATE TF001) unless the move
   * happened: the stored checkpoint was still at `from`, at `version`. Another runner, a
   * rebuild, or a crash of Postgres that lost the last commits (the projectors commit
   * asynchronously) all leave it elsewhere, and the batch must then not be written.
   */
  readonly check: RawBuilder<unknown>;
}

/**
 * The move as a compare-and-set. The NOTIFY is in its RETURNING: a data-modifying CTE always
 * runs to completion, and a notification is sent only at commit, so the query service never
 * hears of a position whose rows it cannot yet see.
 */
export function checkpointMove(move: CheckpointMove): CheckpointStep {
  const { name, version, from, to, heldGeneration } = move;
  const held =
    heldGeneration === undefined ? sql`` : sql`and held_generation = ${heldGeneration.toString()}`;
  return {
    cte: sql`checkpoint_move as (
      update projections.checkpoints
      set position = ${to.toString()}, last_error = null,
        status = case status when 'rebuilding' then 'rebuilding' else 'running' end,
        updated_at = now()
      where name = ${name} and position = ${from.toString()} and version = ${version} ${held}
      returning pg_notify(${CHECKPOINT_CHANNEL}, ${`${name}:${to}`})
    )`,
    check: sql`projections.fail_unless(exists (select from checkpoint_move),
      'the checkpoint is not where this runner left it')`,
  };
}

/** The checkpoint move on its own (inside a batch's transaction, or for skipped events). */
export async function advanceCheckpoint(
  trx: Kysely<ReadModelDatabase>,
  move: CheckpointMove,
): Promise<void> {
  const { cte, check } = checkpointMove(move);
  await sql`with ${cte} select ${check}`.execute(trx);
}

/** The stored checkpoint, or undefined when there is none. */
export async function readCheckpoint(
  db: Kysely<ReadModelDatabase>,
  name: string,
): Promise<{ position: bigint; version: number; heldGeneration: bigint } | undefined> {
  const row = await db
    .selectFrom('projections.checkpoints')
    .select(['position', 'version', 'held_generation'])
    .where('name', '=', name)
    .executeTakeFirst();
  return (
    row && {
      position: BigInt(row.position),
      version: row.version,
      heldGeneration: BigInt(row.held_generation),
    }
  );
}

/** Sets the status of `version`'s model; a model another version took over is left alone. */
export async function setStatus(
  db: Kysely<ReadModelDatabase>,
  projection: { readonly name: string; readonly version: number },
  status: Checkpoint['status'],
  lastError: string | null,
): Promise<void> {
  await db
    .updateTable('projections.checkpoints')
    .set({ status, last_error: lastError, updated_at: new Date() })
    .where('name', '=', projection.name)
    .where('version', '=', projection.version)
    .execute();
}
