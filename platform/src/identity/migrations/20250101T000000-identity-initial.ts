import { type Kysely, sql } from 'kysely';

// Migrations import nothing of the app: they must replay the same way forever.
const SCHEMA = 'identity';

export async function up(db: Kysely<unknown>): Promise<void> {
  const schema = db.schema.withSchema(SCHEMA);
  await schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('algorithm', 'text', (c) => c.notNull())
    .addColumn('public_key_pem', 'text', (c) => c.notNull())
    .addColumn('private_key_pem', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('retired_at', 'timestamptz')
    .execute();

  await schema
    .createTable('credentials')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('credentials_pkey', ['tenant_id', 'user_id'])
    .execute();
  // One login per mailbox per tenant, whatever its casing; the second index serves logins
  // that name no tenant.
  await schema
    .createIndex('credentials_tenant_email')
    .on('credentials')
    .unique()
    .expression(sql`tenant_id, lower(email)`)
    .execute();
  await schema
    .createIndex('credentials_email')
    .on('credentials')
    .expression(sql`lower(email)`)
    .execute();

  await schema
    .createTable('refresh_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('family_id', 'uuid', (c) => c.notNull())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await schema
    .createIndex('refresh_tokens_family')
    .on('refresh_tokens')
    .column('family_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const schema = db.schema.withSchema(SCHEMA);
  await schema.dropTable('refresh_tokens').execute();
  await schema.dropTable('credentials').execute();
  await schema.dropTable('signing_keys').execute();
}
