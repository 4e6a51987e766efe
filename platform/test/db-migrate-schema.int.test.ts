import { Kysely, type Migration, PostgresDialect, sql } from 'kysely';
import t from 'tap';
import { createPool, MigrationFailed, migrateSchema } from '../src/index.js';
import { createTestDatabase } from '../src/testing/index.js';

const widgets: Migration = {
  async up(db) {
    await db.schema
      .createTable('widgets')
      .addColumn('id', 'int4', (c) => c.primaryKey())
      .execute();
  },
};
const widgetsName: Migration = {
  async up(db) {
    await db.schema.alterTable('widgets').addColumn('name', 'text').execute();
  },
};

const setUp = async (t: { teardown(fn: () => Promise<void>): void }) => {
  const database = await createTestDatabase();
  const statements: string[] = [];
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: createPool(database.url, { max: 2 }) }),
    log: (event) => {
      statements.push(event.query.sql);
    },
  });
  t.teardown(async () => {
    await db.destroy();
    await database.drop();
  });
  return { db, statements };
};

const columnsOf = async (db: Kysely<unknown>, schema: string, table: string) =>
  (
    await sql<{ column_name: string }>`
      select column_name from information_schema.columns
      where table_schema = ${schema} and table_name = ${table} order by ordinal_position
    `.execute(db)
  ).rows.map((r) => r.column_name);

t.test('each schema keeps its own history, and a later migration runs alone', async (t) => {
  const { db } = await setUp(t);
  for (const schema of ['tenant_a', 'tenant_b']) {
    await migrateSchema(db.withSchema(schema), schema, { '001-widgets': widgets });
  }
  await migrateSchema(db.withSchema('tenant_a'), 'tenant_a', {
    '001-widgets': widgets,
    '002-widgets-name': widgetsName,
  });
  t.same(await columnsOf(db, 'tenant_a', 'widgets'), ['id', 'name']);
  t.same(await columnsOf(db, 'tenant_b', 'widgets'), ['id'], 'tenant_b untouched');
  const history = await sql<{ name: string }>`
    select name from tenant_a.kysely_migration order by name
  `.execute(db);
  t.same(
    history.rows.map((r) => r.name),
    ['001-widgets', '002-widgets-name'],
  );
  // Running again is a no-op, not an error.
  await migrateSchema(db.withSchema('tenant_b'), 'tenant_b', { '001-widgets': widgets });
});

// With a schema per tenant, reading the whole catalog made each new tenant slower than the last.
t.test('migrating one schema never lists the rest of the catalog', async (t) => {
  const { db, statements } = await setUp(t);
  for (let i = 0; i < 3; i++) {
    await migrateSchema(db.withSchema(`other_${i}`), `other_${i}`, { '001-widgets': widgets });
  }
  statements.length = 0;
  await migrateSchema(db.withSchema('tenant_c'), 'tenant_c', { '001-widgets': widgets });
  const catalog = statements.filter((s) => /pg_catalog|information_schema/.test(s));
  t.ok(catalog.length > 0, 'the migrator still checks what exists');
  for (const s of catalog) {
    t.notMatch(s, /pg_attribute/, 'no column listing');
    t.match(s, /nspname = \$1/, 'filtered to the one schema');
  }
});

t.test('a failing migration names itself and leaves the schema as it was', async (t) => {
  const { db } = await setUp(t);
  const broken: Migration = {
    async up(db) {
      await sql`alter table widgets add column broken no_such_type`.execute(db);
    },
  };
  await migrateSchema(db.withSchema('tenant_d'), 'tenant_d', { '001-widgets': widgets });
  const error: unknown = await migrateSchema(db.withSchema('tenant_d'), 'tenant_d', {
    '001-widgets': widgets,
    '002-broken': broken,
    '003-widgets-name': widgetsName,
  }).catch((e: unknown) => e);
  t.ok(error instanceof MigrationFailed, 'a MigrationFailed');
  t.match(String(error), /tenant_d failed at 002-broken/);
  t.same(await columnsOf(db, 'tenant_d', 'widgets'), ['id'], 'nothing of the run was kept');
});
