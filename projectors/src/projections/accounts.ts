import type { AccountEvent, OrganizationEvent } from '@techflow/domain';
import {
  ACCOUNTS_PROJECTION,
  ensureTenantSchemas,
  type RecordedEvent,
  type TenantReadModels,
  tenantSchema,
} from '@techflow/platform';
import { sql } from 'kysely';
import type { Projection } from '../projection.js';
import { emptyWrites, foldEvent, type TenantWrites } from './accounts/fold.js';
import { writeTenants, writeTenantsInOneStatement } from './accounts/write.js';

// Typed against the domain's event unions, so a renamed event breaks the build here.
const HANDLES: readonly (AccountEvent['type'] | OrganizationEvent['type'])[] = [
  'AccountOpened',
  'FundsDeposited',
  'FundsWithdrawn',
  'AccountFrozen',
  'AccountUnfrozen',
  'AccountClosed',
  'OrganizationCreated',
  'MemberAdded',
];

/** Every table this projection writes in a tenant's schema. */
export const TENANT_TABLES = [
  'accounts',
  'account_entries',
  'members',
  'organization',
] as const satisfies readonly (keyof TenantReadModels)[];
const TENANTS_PER_TRUNCATE = 250;

/**
 * Accounts, their statement lines, the tenant's external settlement accounts, members and the
 * organization, in each tenant's schema. Per batch: events are grouped by tenant and folded in
 * memory, then written in one statement (see accounts/write.ts).
 */
export const accountsProjection: Projection = {
  name: ACCOUNTS_PROJECTION,
  version: 2,
  handles: HANDLES,

  async prepare(db, events) {
    await ensureTenantSchemas(
      db,
      events.map((e) => e.metadata.tenantId),
    );
  },

  async reset(trx) {
    const tenants = await trx.selectFrom('projections.tenants').select('schema_name').execute();
    // The schemas stay, migrated; only their rows go. A few hundred tenants per statement.
    for (let i = 0; i < tenants.length; i += TENANTS_PER_TRUNCATE) {
      const tables = tenants
        .slice(i, i + TENANTS_PER_TRUNCATE)
        .flatMap(({ schema_name }) => TENANT_TABLES.map((table) => sql.id(schema_name, table)));
      await sql`truncate ${sql.join(tables)}`.execute(trx);
    }
  },

  async apply(trx, events) {
    await writeTenants(trx, tenantWrites(events));
  },

  applyInOneStatement(events, step) {
    return writeTenantsInOneStatement(tenantWrites(events), step);
  },
};

const tenantWrites = (events: readonly RecordedEvent[]) =>
  [...foldByTenant(events).values()].map((writes) => ({
    schema: tenantSchema(writes.tenantId),
    writes,
  }));

/** Folds a batch into each tenant's writes, tenants in order of first appearance. */
export function foldByTenant(events: readonly RecordedEvent[]): Map<string, TenantWrites> {
  const byTenant = new Map<string, TenantWrites>();
  for (const e of events) {
    const tenantId = e.metadata.tenantId;
    let w = byTenant.get(tenantId);
    if (!w) {
      w = emptyWrites(tenantId);
      byTenant.set(tenantId, w);
    }
    foldEvent(w, e);
  }
  return byTenant;
}
