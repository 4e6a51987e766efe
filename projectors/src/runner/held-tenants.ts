import { HELD_TENANT_CHANNEL, type RecordedEvent } from '@techflow/platform';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { ReadModelDatabase } from '../projection.js';
import { type ProjectionRef, recordDeadLetter } from './dead-letters.js';

/** The tenants `projection` holds back, each with how far its read model is complete. */
export async function loadHeldTenants(
  db: Kysely<ReadModelDatabase>,
  projection: string,
): Promise<Map<string, bigint>> {
  const rows = await db
    .selectFrom('projections.held_tenants')
    .select(['tenant_id', 'applied_through'])
    .where('projection', '=', projection)
    .orderBy('applied_through')
    .execute();
  return new Map(rows.map((r) => [r.tenant_id, BigInt(r.applied_through)]));
}

/**
 * In one transaction: the event becomes a dead letter and its tenant is held at
 * `appliedThrough` (again, with the attempt counted, when it already was). The notification
 * reaches the query service before any checkpoint that skips the tenant's events, since
 * notifications arrive in commit order.
 */
export async function holdTenant(
  db: Kysely<ReadModelDatabase>,
  projection: ProjectionRef,
  event: RecordedEvent,
  message: string,
  appliedThrough: bigint,
): Promise<void> {
  const tenantId = event.metadata.tenantId;
  await db.transaction().execute(async (trx) => {
    await recordDeadLetter(trx, projection.name, event, message);
    await trx
      .insertInto('projections.held_tenants')
      .values({
        projection: projection.name,
        tenant_id: tenantId,
        applied_through: appliedThrough,
        event_id: event.eventId,
        position: event.position,
        error: message,
      })
      .onConflict((oc) =>
        oc.columns(['projection', 'tenant_id']).doUpdateSet((eb) => ({
          applied_through: appliedThrough,
          event_id: event.eventId,
          position: event.position,
          error: message,
          attempts: eb('projections.held_tenants.attempts', '+', 1),
          held_at: new Date(),
        })),
      )
      .execute();
    await notifyHeld(trx, projection.name, tenantId, appliedThrough);
  });
}

/** Records a held tenant's replay progress, inside the transaction that applied it. */
export async function advanceHeldTenant(
  trx: Transaction<ReadModelDatabase>,
  projection: string,
  tenantId: string,
  appliedThrough: bigint,
): Promise<void> {
  await trx
    .updateTable('projections.held_tenants')
    .set({ applied_through: appliedThrough })
    .where('projection', '=', projection)
    .where('tenant_id', '=', tenantId)
    .execute();
  await notifyHeld(trx, projection, tenantId, appliedThrough);
}

/** The tenant's events are all applied: its reads follow the checkpoint again. */
export async function releaseTenant(
  db: Kysely<ReadModelDatabase>,
  projection: string,
  tenantId: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('projections.held_tenants')
      .where('projection', '=', projection)
      .where('tenant_id', '=', tenantId)
      .execute();
    await notifyHeld(trx, projection, tenantId, null);
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
}

async function notifyHeld(
  trx: Transaction<ReadModelDatabase>,
  projection: string,
  tenantId: string,
  appliedThrough: bigint | null,
): Promise<void> {
  const payload = `${projection}:${tenantId}:${appliedThrough ?? ''}`;
  await sql`select pg_notify(${HELD_TENANT_CHANNEL}, ${payload})`.execute(trx);
}
