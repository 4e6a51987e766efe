import { HELD_TENANT_CHANNEL, type HeldTenantNotice, type RecordedEvent } from '@techflow/platform';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { ReadModelDatabase } from '../projection.js';
import { type ProjectionRef, recordDeadLetter } from './dead-letters.js';

/**
 * Every change here is a compare-and-set against the checkpoint row, locked, so several
 * runners of one projection (a rolling deploy, a replica) never disagree on who is held:
 * - a hold is made only where the checkpoint still is what the holding runner applied;
 * - a release only once the tenant's model is complete through the checkpoint, under the same
 *   lock as batches take, so no batch can skip the tenant's events in between;
 * - holds and releases move `held_generation`, which every batch's compare-and-set checks, so
 *   a runner whose set of held tenants is stale writes nothing and reloads it;
 * - replay progress moves `applied_through` only from where the replayer read it.
 */

export interface HeldTenants {
  /** checkpoints.held_generation when read. */
  readonly generation: bigint;
  /** Held tenant id (as the events carry it) -> position through which its model is complete. */
  readonly tenants: Map<string, bigint>;
}

/** The tenants `projection` holds back, and the generation that set is of, in one snapshot. */
export async function loadHeldTenants(
  db: Kysely<ReadModelDatabase>,
  projection: string,
): Promise<HeldTenants> {
  const rows = await db
    .selectFrom('projections.checkpoints as c')
    .leftJoin('projections.held_tenants as h', 'h.projection', 'c.name')
    .select(['c.held_generation', 'h.tenant_id', 'h.applied_through'])
    .where('c.name', '=', projection)
    .execute();
  const tenants = new Map<string, bigint>();
  for (const r of rows) {
    if (r.tenant_id !== null && r.applied_through !== null) {
      tenants.set(r.tenant_id, BigInt(r.applied_through));
    }
  }
  return { generation: BigInt(rows[0]?.held_generation ?? 0), tenants };
}

/** Where the runner believes the checkpoint is: a change is made only if it still is. */
export interface HeldExpectation {
  readonly position: bigint;
  readonly generation: bigint;
}

/**
 * In one transaction: the event becomes a dead letter and its tenant is held at the
 * checkpoint. Returns the new generation, or null when the checkpoint row is not what the
 * runner expects (another runner moved it, or another version owns the model): then nothing
 * is written, and the runner goes on from the stored checkpoint.
 */
export async function holdTenant(
  db: Kysely<ReadModelDatabase>,
  projection: ProjectionRef,
  event: RecordedEvent,
  message: string,
  expected: HeldExpectation,
): Promise<bigint | null> {
  const tenantId = event.metadata.tenantId;
  return db.transaction().execute(async (trx) => {
    if (!(await checkpointIs(trx, projection, expected))) return null;
    await recordDeadLetter(trx, projection.name, event, message);
    const row = {
      applied_through: expected.position,
      event_id: event.eventId,
      position: event.position,
      error: message,
    };
    await trx
      .insertInto('projections.held_tenants')
      .values({ projection: projection.name, tenant_id: tenantId, ...row })
      .onConflict((oc) =>
        oc.columns(['projection', 'tenant_id']).doUpdateSet((eb) => ({
          ...row,
          attempts: eb('projections.held_tenants.attempts', '+', 1),
          held_at: new Date(),
        })),
      )
      .execute();
    await notifyHeld(trx, projection.name, tenantId, expected.position);
    return nextGeneration(trx, projection.name);
  });
}

/** Thrown inside a replay's transaction to roll it back: see replayStep. */
export class ReplayOutOfStep extends Error {}

/**
 * Inside the transaction that applied a held tenant's events (after, from) through `to`:
 * moves its progress, or throws ReplayOutOfStep (rolling the events back) when another
 * replayer moved it or released it, or another version owns the model.
 */
export async function advanceHeldTenant(
  trx: Transaction<ReadModelDatabase>,
  projection: ProjectionRef,
  tenantId: string,
  from: bigint,
  to: bigint,
): Promise<void> {
  const moved = await trx
    .updateTable('projections.held_tenants')
    .set({ applied_through: to })
    .where('projection', '=', projection.name)
    .where('tenant_id', '=', tenantId)
    .where('applied_through', '=', from.toString())
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('projections.checkpoints')
          .where('name', '=', projection.name)
          .where('version', '=', projection.version),
      ),
    )
    .executeTakeFirst();
  if (moved.numUpdatedRows !== 1n) throw new ReplayOutOfStep();
  await notifyHeld(trx, projection.name, tenantId, to);
}

/**
 * A replay met an event that still cannot be applied: the tenant stays held, at it. Only the
 * existing hold is updated, and only if it is still at `appliedThrough`: a tenant released
 * (or moved on) meanwhile by another runner is not held again. Whether it was.
 */
export async function holdAgain(
  db: Kysely<ReadModelDatabase>,
  projection: ProjectionRef,
  event: RecordedEvent,
  message: string,
  appliedThrough: bigint,
): Promise<boolean> {
  const tenantId = event.metadata.tenantId;
  return db.transaction().execute(async (trx) => {
    const held = await trx
      .updateTable('projections.held_tenants')
      .set((eb) => ({
        event_id: event.eventId,
        position: event.position,
        error: message,
        attempts: eb('attempts', '+', 1),
        held_at: new Date(),
      }))
      .where('projection', '=', projection.name)
      .where('tenant_id', '=', tenantId)
      .where('applied_through', '=', appliedThrough.toString())
      .executeTakeFirst();
    if (held.numUpdatedRows !== 1n) return false;
    await recordDeadLetter(trx, projection.name, event, message);
    return true;
  });
}

export type Release =
  | { readonly outcome: 'released'; readonly generation: bigint }
  /** The checkpoint is past `appliedThrough`: replay up to it first. */
  | { readonly outcome: 'behind'; readonly checkpoint: bigint }
  /** Released or moved by someone else, or another version owns the model. */
  | { readonly outcome: 'gone' };

/**
 * Releases a tenant whose model is complete through `appliedThrough`, if that is where the
 * checkpoint is. The checkpoint row stays locked meanwhile: a batch that skipped the tenant
 * cannot commit in between, and every batch built before the release fails its
 * compare-and-set on the generation and is built again.
 */
export async function releaseTenant(
  db: Kysely<ReadModelDatabase>,
  projection: ProjectionRef,
  tenantId: string,
  appliedThrough: bigint,
): Promise<Release> {
  return db.transaction().execute(async (trx): Promise<Release> => {
    const checkpoint = await lockCheckpoint(trx, projection.name);
    if (!checkpoint || checkpoint.version !== projection.version) return { outcome: 'gone' };
    const at = BigInt(checkpoint.position);
    if (at !== appliedThrough) return { outcome: 'behind', checkpoint: at };
    const deleted = await trx
      .deleteFrom('projections.held_tenants')
      .where('projection', '=', projection.name)
      .where('tenant_id', '=', tenantId)
      .where('applied_through', '=', appliedThrough.toString())
      .executeTakeFirst();
    if (deleted.numDeletedRows !== 1n) return { outcome: 'gone' };
    await notifyHeld(trx, projection.name, tenantId, null);
    return { outcome: 'released', generation: await nextGeneration(trx, projection.name) };
  });
}

/** A rebuild starts every tenant from nothing: no hold survives it. */
export async function releaseAllTenants(
  trx: Transaction<ReadModelDatabase>,
  projection: string,
): Promise<void> {
  const released = await trx
    .deleteFrom('projections.held_tenants')
    .where('projection', '=', projection)
    .returning('tenant_id')
    .execute();
  for (const { tenant_id } of released) await notifyHeld(trx, projection, tenant_id, null);
  if (released.length > 0) await nextGeneration(trx, projection);
}

const lockCheckpoint = (trx: Transaction<ReadModelDatabase>, name: string) =>
  trx
    .selectFrom('projections.checkpoints')
    .select(['position', 'version', 'held_generation'])
    .where('name', '=', name)
    .forUpdate()
    .executeTakeFirst();

async function checkpointIs(
  trx: Transaction<ReadModelDatabase>,
  projection: ProjectionRef,
  expected: HeldExpectation,
): Promise<boolean> {
  const row = await lockCheckpoint(trx, projection.name);
  return (
    row !== undefined &&
    row.version === projection.version &&
    BigInt(row.position) === expected.position &&
    BigInt(row.held_generation) === expected.generation
  );
}

async function nextGeneration(
  trx: Transaction<ReadModelDatabase>,
  projection: string,
): Promise<bigint> {
  const row = await trx
    .updateTable('projections.checkpoints')
    .set({ held_generation: sql`held_generation + 1` })
    .where('name', '=', projection)
    .returning('held_generation')
    .executeTakeFirstOrThrow();
  return BigInt(row.held_generation);
}

async function notifyHeld(
  trx: Transaction<ReadModelDatabase>,
  projection: string,
  tenantId: string,
  appliedThrough: bigint | null,
): Promise<void> {
  const notice: HeldTenantNotice = {
    projection,
    tenantId,
    appliedThrough: appliedThrough === null ? null : appliedThrough.toString(),
  };
  await sql`select pg_notify(${HELD_TENANT_CHANNEL}, ${JSON.stringify(notice)})`.execute(trx);
}
