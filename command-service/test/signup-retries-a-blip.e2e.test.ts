import { createKysely, createPool } from '@techflow/platform';
import { sql } from 'kysely';
import t from 'tap';
import { startCommandService } from './helpers/command-service.js';

/**
 * Makes the database refuse the next `times` credential inserts with `sqlstate`, then accept:
 * a real failure from Postgres, counted by a sequence (which a rollback does not undo).
 */
async function failCredentialInserts(
  url: string,
  sqlstate: string,
  times: number,
): Promise<{ attempts(): Promise<number>; close(): Promise<void> }> {
  const db = createKysely(createPool(url, { max: 1, applicationName: 'techflow-test-faults' }));
  await sql`create sequence identity.credential_attempts`.execute(db);
  await sql
    .raw(`
    create function identity.fail_credential() returns trigger language plpgsql as $$
    begin
      if nextval('identity.credential_attempts') <= ${times} then
        raise exception 'simulated failure' using errcode = '${sqlstate}';
      end if;
      return new;
    end $$;
    create trigger fail_credential before insert on identity.credentials
      for each row execute function identity.fail_credential();
  `)
    .execute(db);
  return {
    attempts: async () =>
      Number(
        (
          await sql<{
            n: string;
          }>`select last_value as n from identity.credential_attempts`.execute(db)
        ).rows[0]?.n,
      ),
    close: () => db.destroy(),
  };
}

t.test('a transient failure storing the owner login is retried: the signup succeeds', async (t) => {
  const { app, db, signup } = await startCommandService(t);
  const failing = await failCredentialInserts(db.url, '40001', 2);
  t.teardown(() => failing.close());
  const owner = await signup();
  t.equal(await failing.attempts(), 3, 'two refusals, then stored');
  const login = await app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { email: owner.email, password: owner.password },
  });
  t.equal(login.statusCode, 200, 'the owner can log in');
});

t.test('any other failure is not retried', async (t) => {
  const { app, db } = await startCommandService(t);
  const failing = await failCredentialInserts(db.url, '23514', 1);
  t.teardown(() => failing.close());
  const res = await app.inject({
    method: 'POST',
    url: '/v1/signup',
    payload: {
      organizationName: 'Org',
      email: 'x@example.com',
      password: 'long enough pw',
      name: 'X',
    },
  });
  t.equal(res.statusCode, 500);
  t.equal(res.json().code, 'internal_error');
  t.equal(await failing.attempts(), 1, 'tried once');
});
