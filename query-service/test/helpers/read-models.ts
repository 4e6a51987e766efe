import {
  ACCOUNTS_PROJECTION,
  CHECKPOINT_CHANNEL,
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
