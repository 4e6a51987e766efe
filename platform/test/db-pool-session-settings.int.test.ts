import t from 'tap';
import { createPool } from '../src/index.js';
import { createTestDatabase } from '../src/testing/index.js';

const settingsOf = async (pool: ReturnType<typeof createPool>) => {
  const { rows } = await pool.query<{ jit: string; synchronous_commit: string }>(
    `select current_setting('jit') as jit, current_setting('synchronous_commit') as synchronous_commit`,
  );
  return rows[0];
};

t.test('every connection runs without JIT; only derived data skips the WAL flush', async (t) => {
  const database = await createTestDatabase();
  const appends = createPool(database.url, { max: 1 });
  const derived = createPool(database.url, { max: 1, durableCommits: false });
  t.teardown(async () => {
    await appends.end();
    await derived.end();
    await database.drop();
  });
  t.same(await settingsOf(appends), { jit: 'off', synchronous_commit: 'on' });
  t.same(await settingsOf(derived), { jit: 'off', synchronous_commit: 'off' });
});
