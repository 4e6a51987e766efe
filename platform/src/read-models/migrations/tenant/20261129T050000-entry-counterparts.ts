import { type Kysely, sql } from 'kysely';

// Double entry on the statement: each customer line names the account on its other side (the
// currency's external settlement account) and that account's balance after it. The external
// account's statement and its balance as of an instant are read from these, newest first.
// One index entry per line, where a mirrored line of its own cost a row and two.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('account_entries')
    .addColumn('counterpart_id', 'uuid')
    .addColumn('counterpart_balance_after', 'numeric')
    .execute();
  await db.schema
    .createIndex('account_entries_counterpart_position_idx')
    .on('account_entries')
    .columns(['counterpart_id', 'position desc'])
    .where(sql.ref('counterpart_id'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('account_entries_counterpart_position_idx').execute();
  await db.schema
    .alterTable('account_entries')
    .dropColumn('counterpart_id')
    .dropColumn('counterpart_balance_after')
    .execute();
}
