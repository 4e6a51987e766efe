import { type Kysely, sql } from 'kysely';

/**
 * projections.fail_unless(ok, message): raises SQLSTATE TF001 (FAILED_CHECK_SQLSTATE) with
 * `message` unless `ok`. Lets a projection check what its one statement did (every account it
 * updates exists) inside that statement, so a failed check rolls the whole statement back,
 * checkpoint move included, without an explicit transaction around it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function projections.fail_unless(ok boolean, message text) returns boolean
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
  await sql`drop function projections.fail_unless(boolean, text)`.execute(db);
}
