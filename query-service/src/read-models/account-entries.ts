import { type AccountEntry, mirrorEntryId, tenantSchema } from '@techflow/platform';
import type { Page } from './accounts.js';
import type { Keyset } from './cursor.js';
import { orIfMissing, type ReadDb } from './db.js';

export interface ListEntriesOptions {
  readonly limit: number;
  /** Answer the entries older than this one in (position, entry_id) order. */
  readonly before?: Keyset;
  /**
   * The account is an external settlement account: its lines are the other side of its
   * currency's customer lines (`counterpart_id`), as that account sees them.
   */
  readonly external?: boolean;
}

/** A customer line as its counterpart's statement shows it: the other direction, its balance. */
const asCounterpart = (row: AccountEntry): AccountEntry => ({
  ...row,
  entry_id: mirrorEntryId(row.entry_id),
  account_id: row.counterpart_id ?? row.account_id,
  kind: row.kind === 'deposit' ? 'withdrawal' : 'deposit',
  amount: row.amount.startsWith('-') ? row.amount.slice(1) : `-${row.amount}`,
  balance_after: row.counterpart_balance_after ?? '0',
});

/**
 * An account's statement, newest first. Keyset on (position, entry_id) descending: entries
 * written after the first page land before it, so later pages neither repeat nor skip lines.
 */
export async function listEntries(
  db: ReadDb,
  tenantId: string,
  accountId: string,
  options: ListEntriesOptions,
): Promise<Page<AccountEntry>> {
  let query = db
    .withSchema(tenantSchema(tenantId))
    .selectFrom('account_entries')
    .selectAll()
    .where(options.external ? 'counterpart_id' : 'account_id', '=', accountId);
  const before = options.before;
  if (before) {
    query = query.where((eb) =>
      eb(eb.refTuple('position', 'entry_id'), '<', eb.tuple(before.position.toString(), before.id)),
    );
  }
  const rows = await orIfMissing(
    query
      .orderBy('position', 'desc')
      .orderBy('entry_id', 'desc')
      .limit(options.limit + 1)
      .execute(),
    [],
  );
  const page = rows.slice(0, options.limit);
  const shown = options.external ? page.map(asCounterpart) : page;
  if (rows.length <= options.limit) return { rows: shown };
  // The keyset is the stored line's, whichever side the page shows.
  const last = page[page.length - 1]!;
  return { rows: shown, next: { position: BigInt(last.position), id: last.entry_id } };
}

export interface BalanceAt {
  readonly balance: string;
  readonly available: string;
}

/**
 * The account's balance as of `at`, or undefined when the account does not exist (now).
 *
 * - `at` at or after the row's last change: the row itself is the state at that instant.
 * - otherwise: `balance_after` of the last entry at or before `at`; an instant before the
 *   account's first entry (or before it was opened) answers zero — an account that did not
 *   exist yet held nothing, which is what a statement's opening balance needs.
 * Holds are not kept historically, so for a past instant `available` equals the balance then.
 */
export async function balanceAt(
  db: ReadDb,
  tenantId: string,
  accountId: string,
  at: Date,
): Promise<BalanceAt | undefined> {
  const tenant = db.withSchema(tenantSchema(tenantId));
  const account = await orIfMissing(
    tenant
      .selectFrom('accounts')
      .select(['balance', 'available', 'updated_at', 'kind'])
      .where('account_id', '=', accountId)
      .executeTakeFirst(),
    undefined,
  );
  if (!account) return undefined;
  if (at.getTime() >= account.updated_at.getTime()) {
    return { balance: account.balance, available: account.available };
  }
  // An external settlement account's lines are the counterpart sides of customer lines.
  const external = account.kind === 'external';
  const entry = await tenant
    .selectFrom('account_entries')
    .select(['balance_after', 'counterpart_balance_after'])
    .where(external ? 'counterpart_id' : 'account_id', '=', accountId)
    .where('at', '<=', at)
    .orderBy('position', 'desc')
    .limit(1)
    .executeTakeFirst();
  const balance = (external ? entry?.counterpart_balance_after : entry?.balance_after) ?? '0';
  return { balance, available: balance };
}
