import { type Kysely, sql } from 'kysely';

/**
 * es.fail_unless(ok, message): raises SQLSTATE TF001 (FAILED_CHECK_SQLSTATE) with `message`
 * unless `ok`. The set-based append (append-rows.ts) checks with it, inside its one
 * statement, that every stream was at its expected revision: a plain SQL statement cannot
 * raise, and a failed check must roll back everything the statement wrote.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function es.fail_unless(ok boolean, message text) returns boolean
    language plpgsql as $$
    begin
      if not ok then
        raise exception using errcode = 'TF001', message = message;
      end if;
      return true;
    end
    $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function es.fail_unless(boolean, text)`.execute(db);
}
