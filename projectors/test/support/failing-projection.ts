import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from '@techflow/platform';
import type { Projection } from '../../src/projection.js';
import { accountsProjection } from '../../src/projections/accounts.js';
import { appendLog } from './append.js';
import { EventLog } from './events.js';
import { createInfra, type Infra } from './infra.js';
import { readTenant } from './read-model.js';

/**
 * The accounts projection, failing on one event while `state.broken`: a bug the operators
 * fix and deploy, which the real projection cannot be made to have.
 */
export function failingOn(eventId: string, state: { broken: boolean }): Projection {
  const check = (events: readonly RecordedEvent[]) => {
    if (state.broken && events.some((e) => e.eventId === eventId)) {
      throw new Error(`cannot apply ${eventId}`);
    }
  };
  return {
    ...accountsProjection,
    async apply(trx, events) {
      check(events);
      await accountsProjection.apply(trx, events);
    },
    applyInOneStatement(events, step) {
      check(events);
      return accountsProjection.applyInOneStatement?.(events, step) ?? null;
    },
  };
}

/**
 * A fresh store with two tenants: `held`'s account gets 10, then 20 (the event to fail on),
 * then 40; `other`'s gets 5 and 7 in between. The log goes on from there (appendLog keeps
 * its balances).
 */
export async function twoTenantsOneBadEvent(t: { teardown(fn: () => Promise<void>): void }) {
  const infra = await createInfra();
  t.teardown(() => infra.close());
  const log = new EventLog();
  const [held, other] = [randomUUID(), randomUUID()];
  const [a, b] = [randomUUID(), randomUUID()];
  log.open(held, a);
  log.open(other, b);
  log.deposit(held, a, 10n);
  const bad = log.deposit(held, a, 20n);
  log.deposit(other, b, 5n);
  log.deposit(held, a, 40n);
  log.deposit(other, b, 7n);
  const events = await appendLog(infra.eventStore, log);
  return { infra, log, held, other, a, b, bad, events };
}

export const heldRows = (infra: Infra) =>
  infra.db
    .selectFrom('projections.held_tenants')
    .select(['tenant_id', 'applied_through', 'event_id', 'position', 'attempts', 'error'])
    .execute();

export const balanceOf = async (infra: Infra, tenant: string, account: string) =>
  (await readTenant(infra.db, tenant)).accounts.find((a) => a.accountId === account)?.balance;
