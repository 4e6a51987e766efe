import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * The per-tenant read models: one Postgres schema per tenant (see tenantSchema), written only
 * by the projectors and read only by the query service. Money is numeric in SQL and arrives
 * as a decimal string; code turns it into bigint. Positions (int8) arrive as strings too.
 */

type Numeric = ColumnType<string, string | bigint, string | bigint>;
type Int8 = ColumnType<string, string | bigint, string | bigint>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp with a database default (Generated<Timestamp> would nest two ColumnTypes). */
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface AccountsTable {
  account_id: string;
  name: string;
  currency: string;
  /** `customer` accounts are opened by users; `external` is the tenant's settlement account per currency. */
  kind: 'customer' | 'external';
  balance: Numeric;
  available: Numeric;
  pending: Numeric;
  status: 'open' | 'frozen' | 'closed';
  allow_overdraft: boolean;
  /** Stream revision of the last applied event (-1 for external accounts, which have no stream). */
  revision: Int8;
  /** Global position at which the account was opened: the list's keyset order. */
  opened_position: Int8;
  /** Global position of the last event applied to this row. */
  position: Int8;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AccountEntriesTable {
  entry_id: string;
  account_id: string;
  position: Int8;
  kind: 'deposit' | 'withdrawal';
  /** Signed: positive adds to the balance, negative takes from it. */
  amount: Numeric;
  balance_after: Numeric;
  transfer_id: string | null;
  reference: string | null;
  at: Timestamp;
  /** The account on the line's other side (the currency's external account); null before 2. */
  counterpart_id: string | null;
  /** That account's balance after this line. */
  counterpart_balance_after: Numeric | null;
}

export interface MembersTable {
  user_id: string;
  email: string;
  name: string;
  role: string;
  position: Int8;
}

/** The tenant's organization, one row (from OrganizationCreated). */
export interface OrganizationTable {
  tenant_id: string;
  name: string;
  owner_user_id: string;
  position: Int8;
}

/** Tables inside one tenant's schema. */
export interface TenantReadModels {
  accounts: AccountsTable;
  account_entries: AccountEntriesTable;
  members: MembersTable;
  organization: OrganizationTable;
}

/** Shared bookkeeping in schema `projections`. */
export interface ProjectionCheckpointsTable {
  name: string;
  /** The projection's version: a projection whose code has another version rebuilds. */
  version: Generated<number>;
  /** Every event with position <= this has been applied (or skipped as irrelevant). */
  position: Int8;
  status: 'running' | 'rebuilding' | 'stopped' | 'failed';
  last_error: string | null;
  updated_at: GeneratedTimestamp;
  /** Counts holds and releases of tenants (projections.held_tenants); part of each batch's compare-and-set. */
  held_generation: ColumnType<string, string | bigint | undefined, string | bigint>;
}

export interface TenantsTable {
  tenant_id: string;
  schema_name: string;
  /** Name of the last read-model migration applied to the tenant's schema. */
  migration: string;
  created_at: GeneratedTimestamp;
}

/** An event a projection could not apply; the projection stops at it with status 'failed'. */
export interface DeadLettersTable {
  projection: string;
  event_id: string;
  position: Int8;
  stream_id: string;
  type: string;
  /** The event as relayed (the codec's JSON shape). */
  event: ColumnType<unknown, string, string>;
  error: string;
  attempts: Generated<number>;
  failed_at: GeneratedTimestamp;
}

/**
 * A tenant a projection holds back: one of its events could not be applied. The projection
 * skips its events (and goes on for every other tenant) until a restart replays them.
 */
export interface HeldTenantsTable {
  projection: string;
  /** As the events carry it (text: a malformed one is held too). */
  tenant_id: string;
  /** Every event of this tenant up to this position is applied: its reads are this fresh. */
  applied_through: Int8;
  /** The event that could not be applied (it is also in dead_letters). */
  event_id: string;
  position: Int8;
  error: string;
  attempts: Generated<number>;
  held_at: GeneratedTimestamp;
}

export interface ProjectionsSchema {
  'projections.checkpoints': ProjectionCheckpointsTable;
  'projections.tenants': TenantsTable;
  'projections.dead_letters': DeadLettersTable;
  'projections.held_tenants': HeldTenantsTable;
}

export type Account = Selectable<AccountsTable>;
export type NewAccount = Insertable<AccountsTable>;
export type AccountUpdate = Updateable<AccountsTable>;
export type AccountEntry = Selectable<AccountEntriesTable>;
export type NewAccountEntry = Insertable<AccountEntriesTable>;
export type Member = Selectable<MembersTable>;

/** The schema holding a tenant's read models: `t_` + the tenant UUID's 32 hex digits. */
export const tenantSchema = (tenantId: string): string => {
  const hex = tenantId.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`not a tenant id: ${tenantId}`);
  return `t_${hex}`;
};

/** Name of the projection that maintains these tables (its checkpoint row). */
export const ACCOUNTS_PROJECTION = 'accounts';

/** Channel the projectors NOTIFY with `<projection>:<position>` after each committed batch. */
export const CHECKPOINT_CHANNEL = 'projection_checkpoint';

/**
 * Channel the projectors NOTIFY when a held tenant changes, with a HeldTenantNotice as JSON.
 * Sent in the transaction that changes projections.held_tenants, so a listener hears of a
 * hold before any checkpoint that skipped the tenant's events (notifications arrive in
 * commit order).
 */
export const HELD_TENANT_CHANNEL = 'projection_held_tenant';

export interface HeldTenantNotice {
  readonly projection: string;
  readonly tenantId: string;
  /** Decimal: how far its read model is complete; null once released. */
  readonly appliedThrough: string | null;
}
