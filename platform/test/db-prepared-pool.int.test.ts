import { Kysely, PostgresDialect, sql } from 'kysely';
import t from 'tap';
import { preparingPool } from '../src/db/prepared-pool.js';
import { createPool } from '../src/index.js';
import { createTestDatabase } from '../src/testing/index.js';

interface Db {
  items: { id: number; name: string };
}

/** One connection, so every statement lands on the session whose prepared ones we list. */
interface Teardown {
  teardown(fn: () => Promise<void> | void): void;
}

const setUp = async (t: Teardown, maxPerConnection?: number) => {
  const database = await createTestDatabase();
  const pool = createPool(database.url, { max: 1 });
  const db = new Kysely<Db>({
    dialect: new PostgresDialect({ pool: preparingPool(pool, maxPerConnection) }),
  });
  t.teardown(async () => {
    await db.destroy();
    await database.drop();
  });
  await sql`create table items (id int primary key, name text not null)`.execute(db);
  await db
    .insertInto('items')
    .values([
      { id: 1, name: 'one' },
      { id: 2, name: 'two' },
    ])
    .execute();
  const prepared = async () =>
    (
      await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db)
    ).rows.map((r) => r.statement);
  return { db, prepared };
};

const byId = (db: Kysely<Db>, id: number) =>
  db.selectFrom('items').selectAll().where('id', '=', id).executeTakeFirst();

t.test('each distinct statement is prepared once per connection and reused', async (t) => {
  const { db, prepared } = await setUp(t);
  t.same(await byId(db, 1), { id: 1, name: 'one' });
  t.same(await byId(db, 2), { id: 2, name: 'two' });
  t.equal(await byId(db, 3), undefined);
  const select = (await prepared()).filter((s) => s.includes('from "items" where "id" = $1'));
  t.equal(select.length, 1, 'three calls, one prepared statement');
});

t.test('past the limit the least recently used statement is deallocated', async (t) => {
  const { db, prepared } = await setUp(t, 4);
  for (let i = 0; i < 10; i++) {
    await sql`select ${i}::int + ${sql.raw(String(i))} as n`.execute(db);
  }
  const kept = (await prepared()).filter((s) => s.startsWith('select $1::int'));
  t.ok(kept.length <= 4, `kept ${kept.length} of 10`);
  t.match(kept.join('\n'), /\+ 9 as n/, 'the latest is among them');
  t.same((await sql<{ n: number }>`select ${0}::int + 0 as n`.execute(db)).rows, [{ n: 0 }]);
});

t.test('a table changed under a prepared statement is prepared again', async (t) => {
  const { db } = await setUp(t);
  const all = () => sql<Record<string, unknown>>`select * from items where id = ${1}`.execute(db);
  t.same((await all()).rows, [{ id: 1, name: 'one' }]);
  await sql`alter table items add column note text`.execute(db);
  t.same((await all()).rows, [{ id: 1, name: 'one', note: null }]);
});

t.test('errors reach the caller and leave the connection usable', async (t) => {
  const { db } = await setUp(t);
  await t.rejects(sql`select * from missing_table`.execute(db), { code: '42P01' });
  await t.rejects(sql`select * from missing_table`.execute(db), { code: '42P01' }, 'again');
  await sql`create table missing_table (x int)`.execute(db);
  t.same((await sql`select * from missing_table`.execute(db)).rows, [], 'then it exists');
  t.same(await byId(db, 2), { id: 2, name: 'two' });
});
