import { externalAccountId, type RecordedEvent, tenantSchema } from '@techflow/platform';
import type { Kysely } from 'kysely';
import type { ReadModelDatabase } from '../../src/projection.js';

export interface AccountView {
  accountId: string;
  kind: string;
  currency: string;
  balance: string;
  status: string;
  revision: string;
  position: string;
}

export interface EntryView {
  entryId: string;
  accountId: string;
  position: string;
  kind: string;
  amount: string;
  balanceAfter: string;
  counterpartId: string | null;
  counterpartBalanceAfter: string | null;
}

const str = (v: unknown): string => String(v);

/** What the read models hold for a tenant, sorted, as plain strings. */
export async function readTenant(db: Kysely<ReadModelDatabase>, tenantId: string) {
  const t = db.withSchema(tenantSchema(tenantId));
  const accounts = await t.selectFrom('accounts').selectAll().orderBy('account_id').execute();
  const entries = await t.selectFrom('account_entries').selectAll().orderBy('position').execute();
  const members = await t.selectFrom('members').selectAll().orderBy('user_id').execute();
  return {
    accounts: accounts.map(
      (a): AccountView => ({
        accountId: a.account_id,
        kind: a.kind,
        currency: a.currency,
        balance: str(a.balance),
        status: a.status,
        revision: str(a.revision),
        position: str(a.position),
      }),
    ),
    entries: entries.map(
      (e): EntryView => ({
        entryId: e.entry_id,
        accountId: e.account_id,
        position: str(e.position),
        kind: e.kind,
        amount: str(e.amount),
        balanceAfter: str(e.balance_after),
        counterpartId: e.counterpart_id,
        counterpartBalanceAfter:
          e.counterpart_balance_after === null ? null : str(e.counterpart_balance_after),
      }),
    ),
    members: members.map((m) => ({ userId: m.user_id, role: m.role, email: m.email })),
  };
}

/**
 * The oracle: the read model a tenant's events should give, folded one event at a time by
 * code that shares nothing with the projection.
 */
export function expectTenant(events: readonly RecordedEvent[], tenantId: string) {
  const accounts = new Map<string, AccountView>();
  const entries: EntryView[] = [];
  const externals = new Map<string, { balance: bigint; position: bigint }>();
  for (const e of events) {
    if (e.metadata.tenantId !== tenantId) continue;
    const d = e.data;
    const id = String(d['accountId']);
    const account = accounts.get(id);
    const bump = (patch: Partial<AccountView>) => {
      if (!account) throw new Error(`no account ${id}`);
      accounts.set(id, {
        ...account,
        ...patch,
        revision: e.revision.toString(),
        position: e.position.toString(),
      });
    };
    const ext = (currency: string, delta: bigint) => {
      const prev = externals.get(currency) ?? { balance: 0n, position: e.position };
      const next = { balance: prev.balance + delta, position: e.position };
      externals.set(currency, next);
      return next.balance;
    };
    switch (e.type) {
      case 'AccountOpened':
        accounts.set(id, {
          accountId: id,
          kind: 'customer',
          currency: String(d['currency']),
          balance: '0',
          status: 'open',
          revision: e.revision.toString(),
          position: e.position.toString(),
        });
        ext(String(d['currency']), 0n);
        break;
      case 'FundsDeposited':
      case 'FundsWithdrawn': {
        const sign = e.type === 'FundsDeposited' ? 1n : -1n;
        const amount = BigInt(String(d['amount'])) * sign;
        bump({ balance: String(d['balanceAfter']) });
        const currency = String(d['currency']);
        const externalAfter = ext(currency, -amount);
        entries.push({
          entryId: String(d['entryId']),
          accountId: id,
          position: e.position.toString(),
          kind: sign > 0n ? 'deposit' : 'withdrawal',
          amount: amount.toString(),
          balanceAfter: String(d['balanceAfter']),
          counterpartId: externalAccountId(tenantId, currency),
          counterpartBalanceAfter: externalAfter.toString(),
        });
        break;
      }
      case 'AccountFrozen':
        bump({ status: 'frozen' });
        break;
      case 'AccountUnfrozen':
        bump({ status: 'open' });
        break;
      case 'AccountClosed':
        bump({ status: 'closed' });
        break;
    }
  }
  for (const [currency, x] of externals) {
    const accountId = externalAccountId(tenantId, currency);
    accounts.set(accountId, {
      accountId,
      kind: 'external',
      currency,
      balance: x.balance.toString(),
      status: 'open',
      revision: '-1',
      position: x.position.toString(),
    });
  }
  return {
    accounts: [...accounts.values()].sort((a, b) => (a.accountId < b.accountId ? -1 : 1)),
    entries,
  };
}
