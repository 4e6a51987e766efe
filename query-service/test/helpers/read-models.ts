import { randomUUID } from 'node:crypto';
import {
  ACCOUNTS_PROJECTION,
  CHECKPOINT_CHANNEL,
  HELD_TENANT_CHANNEL,
  type NewAccount,
  type NewAccountEntry,
  type ProjectionsSchema,
  type TenantReadModels,
  tenantSchema,
} from '@techflow/platform';
import { type Kysely, sql } from 'kysely';

type Db = Kysely<TenantReadModels & ProjectionsSchema>;

/** Sets a projection's checkpoint and NOTIFYs it, as a projector does after a batch. */
export async function advanceCheckpoint(
  db: Db,
  position: bigint,
  name: string = ACCOUNTS_PROJECTION,
): Promise<void> {
  await db
    .insertInto('projections.checkpoints')
    .values({ name, position, status: 'running', last_error: null })
    .onConflict((oc) => oc.column('name').doUpdateSet({ position }))
    .execute();
  await sql`select pg_notify(${CHECKPOINT_CHANNEL}, ${`${name}:${position}`})`.execute(db);
}

/**
 * Holds a tenant back at `through` (or releases it, with null) and NOTIFYs it, as a projector
 * does when one of the tenant's events cannot be applied (or once it replayed them); `notify`
 * false makes the change while nobody would hear of it.
 */
export async function holdTenant(
  db: Db,
  tenantId: string,
  through: bigint | null,
  notify = true,
): Promise<void> {
  const projection = ACCOUNTS_PROJECTION;
  if (through === null) {
    await db
      .deleteFrom('projections.held_tenants')
      .where('projection', '=', projection)
      .where('tenant_id', '=', tenantId)
      .execute();
  } else {
    const row = {
      applied_through: through,
      event_id: randomUUID(),
      position: through + 1n,
      error: 'Error: cannot apply',
    };
    await db
      .insertInto('projections.held_tenants')
      .values({ projection, tenant_id: tenantId, ...row })
      .onConflict((oc) => oc.columns(['projection', 'tenant_id']).doUpdateSet(row))
      .execute();
  }
  if (!notify) return;
  const payload = JSON.stringify({
    projection,
    tenantId,
    appliedThrough: through === null ? null : through.toString(),
  });
  await sql`select pg_notify(${HELD_TENANT_CHANNEL}, ${payload})`.execute(db);
}

let opened = 0;

/** An account row as the projector would write it; `position` defaults to `opened_position`. */
export function accountRow(
  overrides: Partial<NewAccount> & Pick<NewAccount, 'account_id' | 'opened_position'>,
): NewAccount {
  opened += 1;
  const at = overrides.created_at ?? new Date(Date.UTC(2025, 0, 1, 0, 0, opened));
  return {
    name: `Account ${opened}`,
    currency: 'EUR',
    kind: 'customer',
    balance: '0',
    available: '0',
    pending: '0',
    status: 'open',
    allow_overdraft: false,
    revision: '0',
    position: overrides.opened_position,
    created_at: at,
    updated_at: at,
    ...overrides,
  };
}

export async function insertAccounts(db: Db, tenantId: string, rows: NewAccount[]): Promise<void> {
  await db.withSchema(tenantSchema(tenantId)).insertInto('accounts').values(rows).execute();
}

export async function insertEntries(
  db: Db,
  tenantId: string,
  rows: NewAccountEntry[],
): Promise<void> {
  await db.withSchema(tenantSchema(tenantId)).insertInto('account_entries').values(rows).execute();
}
