import { type Kysely, sql } from 'kysely';

// The first shape of a tenant's read models (see ../../tables.ts). Runs inside the tenant's
// schema: the migrator hands over `db.withSchema(<tenant schema>)`, so names here are bare.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('account_id', 'uuid', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('customer', 'external')`))
    .addColumn('balance', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('available', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('pending', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('open', 'frozen', 'closed')`),
    )
    .addColumn('allow_overdraft', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('revision', 'int8', (c) => c.notNull())
    .addColumn('opened_position', 'int8', (c) => c.notNull())
    .addColumn('position', 'int8', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  // The account list pages by (opened_position, account_id).
  await db.schema
    .createIndex('accounts_opened_position_idx')
    .on('accounts')
    .columns(['opened_position', 'account_id'])
    .execute();

  await db.schema
    .createTable('account_entries')
    .addColumn('entry_id', 'uuid', (c) => c.primaryKey())
    .addColumn('account_id', 'uuid', (c) => c.notNull())
    .addColumn('position', 'int8', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount', 'numeric', (c) => c.notNull())
    .addColumn('balance_after', 'numeric', (c) => c.notNull())
    .addColumn('transfer_id', 'uuid')
    .addColumn('reference', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  // A statement is an account's entries newest first; balance-at-instant reads the same index.
  await db.schema
    .createIndex('account_entries_account_position_idx')
    .on('account_entries')
    .columns(['account_id', 'position desc'])
    .execute();

  await db.schema
    .createTable('members')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('position', 'int8', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('organization')
    .addColumn('tenant_id', 'uuid', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('owner_user_id', 'uuid', (c) => c.notNull())
    .addColumn('position', 'int8', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('organization').ifExists().execute();
  await db.schema.dropTable('members').ifExists().execute();
  await db.schema.dropTable('account_entries').ifExists().execute();
  await db.schema.dropTable('accounts').ifExists().execute();
}
