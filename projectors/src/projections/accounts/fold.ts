import type { RecordedEvent } from '@techflow/platform';
import { externalAccountId } from '@techflow/platform';
import { flag, MalformedEvent, minor, optionalText, text } from './event-fields.js';

/**
 * One tenant's slice of a batch, folded into the rows it ends in: a row per account touched
 * (not a write per event), the batch's statement lines, and the net movement of each external
 * account. Deposits and withdrawals carry balanceAfter, so nothing has to be read first.
 */

export type AccountStatus = 'open' | 'frozen' | 'closed';

export interface OpenedAccount {
  accountId: string;
  name: string;
  currency: string;
  allowOverdraft: boolean;
  balance: string;
  status: AccountStatus;
  revision: bigint;
  openedPosition: bigint;
  position: bigint;
  createdAt: string;
  updatedAt: string;
}

/** What changed on an account opened before this batch; null leaves the column alone. */
export interface AccountChange {
  accountId: string;
  balance: string | null;
  status: AccountStatus | null;
  revision: bigint;
  position: bigint;
  updatedAt: string;
}

export interface EntryRow {
  entryId: string;
  accountId: string;
  position: bigint;
  kind: 'deposit' | 'withdrawal';
  amount: string;
  balanceAfter: string;
  reference: string | null;
  at: string;
  /** The external account on the other side, and its net movement in this batch so far. */
  counterpartId: string;
  counterpartRunning: bigint;
}

/** Net movement of a tenant's external settlement account for one currency in this batch. */
export interface ExternalChange {
  accountId: string;
  currency: string;
  delta: bigint;
  firstPosition: bigint;
  position: bigint;
  at: string;
}

export interface MemberRow {
  userId: string;
  email: string;
  name: string;
  role: string;
  position: bigint;
}

export interface OrganizationRow {
  tenantId: string;
  name: string;
  ownerUserId: string;
  position: bigint;
}

export interface TenantWrites {
  readonly tenantId: string;
  readonly opened: Map<string, OpenedAccount>;
  readonly changed: Map<string, AccountChange>;
  readonly entries: EntryRow[];
  readonly externals: Map<string, ExternalChange>;
  readonly members: Map<string, MemberRow>;
  organization: OrganizationRow | null;
}

export const emptyWrites = (tenantId: string): TenantWrites => ({
  tenantId,
  opened: new Map(),
  changed: new Map(),
  entries: [],
  externals: new Map(),
  members: new Map(),
  organization: null,
});

const at = (e: RecordedEvent): string => e.metadata.occurredAt;

function touchExternal(
  w: TenantWrites,
  e: RecordedEvent,
  currency: string,
  delta: bigint,
): ExternalChange {
  const found = w.externals.get(currency);
  if (found) {
    found.delta += delta;
    found.position = e.position;
    found.at = at(e);
    return found;
  }
  const created = {
    accountId: externalAccountId(w.tenantId, currency),
    currency,
    delta,
    firstPosition: e.position,
    position: e.position,
    at: at(e),
  };
  w.externals.set(currency, created);
  return created;
}

/** Records a balance or status change on whichever row the account's writes end in. */
function change(
  w: TenantWrites,
  e: RecordedEvent,
  patch: { balance?: string; status?: AccountStatus },
) {
  const accountId = text(e, 'accountId');
  const opened = w.opened.get(accountId);
  if (opened) {
    if (patch.balance !== undefined) opened.balance = patch.balance;
    if (patch.status !== undefined) opened.status = patch.status;
    opened.revision = e.revision;
    opened.position = e.position;
    opened.updatedAt = at(e);
    return;
  }
  const prev = w.changed.get(accountId);
  w.changed.set(accountId, {
    accountId,
    balance: patch.balance ?? prev?.balance ?? null,
    status: patch.status ?? prev?.status ?? null,
    revision: e.revision,
    position: e.position,
    updatedAt: at(e),
  });
}

function movement(w: TenantWrites, e: RecordedEvent, kind: 'deposit' | 'withdrawal') {
  const amount = minor(e, 'amount');
  const balanceAfter = minor(e, 'balanceAfter');
  const currency = text(e, 'currency');
  // Double entry: the external account gives what the customer account gets.
  const external = touchExternal(
    w,
    e,
    currency,
    kind === 'deposit' ? -BigInt(amount) : BigInt(amount),
  );
  w.entries.push({
    entryId: text(e, 'entryId'),
    accountId: text(e, 'accountId'),
    position: e.position,
    kind,
    amount: kind === 'deposit' ? amount : `-${amount}`,
    balanceAfter,
    reference: optionalText(e.data, 'reference'),
    at: at(e),
    counterpartId: external.accountId,
    counterpartRunning: external.delta,
  });
  change(w, e, { balance: balanceAfter });
}

/** Folds one event into the tenant's writes. Events must come in position order. */
export function foldEvent(w: TenantWrites, e: RecordedEvent): void {
  switch (e.type) {
    case 'AccountOpened': {
      const accountId = text(e, 'accountId');
      const currency = text(e, 'currency');
      w.opened.set(accountId, {
        accountId,
        name: text(e, 'name'),
        currency,
        allowOverdraft: flag(e, 'allowOverdraft'),
        balance: '0',
        status: 'open',
        revision: e.revision,
        openedPosition: e.position,
        position: e.position,
        createdAt: at(e),
        updatedAt: at(e),
      });
      // The settlement account exists from the currency's first account on, at zero.
      touchExternal(w, e, currency, 0n);
      return;
    }
    case 'FundsDeposited':
      movement(w, e, 'deposit');
      return;
    case 'FundsWithdrawn':
      movement(w, e, 'withdrawal');
      return;
    case 'AccountFrozen':
      change(w, e, { status: 'frozen' });
      return;
    case 'AccountUnfrozen':
      change(w, e, { status: 'open' });
      return;
    case 'AccountClosed':
      change(w, e, { status: 'closed' });
      return;
    case 'OrganizationCreated':
      w.organization = {
        tenantId: text(e, 'tenantId'),
        name: text(e, 'name'),
        ownerUserId: text(e, 'ownerUserId'),
        position: e.position,
      };
      return;
    case 'MemberAdded': {
      const userId = text(e, 'userId');
      w.members.set(userId, {
        userId,
        email: text(e, 'email'),
        name: text(e, 'name'),
        role: text(e, 'role'),
        position: e.position,
      });
      return;
    }
    default:
      throw new MalformedEvent(`the accounts projection does not handle ${e.type}`);
  }
}
