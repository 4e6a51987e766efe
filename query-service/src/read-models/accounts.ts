import { type Account, type AccountsTable, tenantSchema } from '@techflow/platform';
import { type BatchLoader, createBatchLoader } from './batch-loader.js';
import type { Keyset } from './cursor.js';
import { orIfMissing, type ReadDb } from './db.js';

export interface AccountFilter {
  readonly status?: AccountsTable['status'];
  readonly currency?: string;
  readonly kind?: AccountsTable['kind'];
}

export interface ListAccountsOptions extends AccountFilter {
  readonly limit: number;
  /** Answer the accounts after this one in (opened_position, account_id) order. */
  readonly after?: Keyset;
}

export interface Page<Row> {
  readonly rows: Row[];
  /** The keyset of the last row when more rows follow, else undefined. */
  readonly next?: Keyset;
}

/**
 * A tenant's accounts in the order they were opened. Keyset on (opened_position, account_id):
 * an account opened later always sorts after every page already served, so paging is stable
 * while accounts are being opened. One extra row is read to know whether a next page exists.
 */
export async function listAccounts(
  db: ReadDb,
  tenantId: string,
  options: ListAccountsOptions,
): Promise<Page<Account>> {
  let query = db.withSchema(tenantSchema(tenantId)).selectFrom('accounts').selectAll();
  if (options.status) query = query.where('status', '=', options.status);
  if (options.currency) query = query.where('currency', '=', options.currency);
  if (options.kind) query = query.where('kind', '=', options.kind);
  const after = options.after;
  if (after) {
    query = query.where((eb) =>
      eb(
        eb.refTuple('opened_position', 'account_id'),
        '>',
        eb.tuple(after.position.toString(), after.id),
      ),
    );
  }
  const rows = await orIfMissing(
    query
      .orderBy('opened_position')
      .orderBy('account_id')
      .limit(options.limit + 1)
      .execute(),
    [],
  );
  if (rows.length <= options.limit) return { rows };
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1]!;
  return { rows: page, next: { position: BigInt(last.opened_position), id: last.account_id } };
}

/** A tenant's accounts by id, in one statement; an id with no account is absent. */
export async function getAccounts(
  db: ReadDb,
  tenantId: string,
  accountIds: readonly string[],
): Promise<ReadonlyMap<string, Account>> {
  const rows = await orIfMissing(
    db
      .withSchema(tenantSchema(tenantId))
      .selectFrom('accounts')
      .selectAll()
      // One statement text whatever the number of ids: one prepared statement per schema.
      .where((eb) => eb('account_id', '=', eb.fn.any(eb.val(accountIds))))
      .execute(),
    [],
  );
  return new Map(rows.map((row) => [row.account_id, row]));
}

/**
 * Accounts by id for routes: lookups of the same turn of the event loop share one statement.
 * Ids must be in Postgres's printed form (canonicalUuid): rows are matched by that text.
 */
export const accountLoader = (db: ReadDb): BatchLoader<Account> =>
  createBatchLoader((tenantId, ids) => getAccounts(db, tenantId, ids));
