import { type Kysely, sql } from 'kysely';

/**
 * es.events refuses UPDATE, DELETE and TRUNCATE: history is appended to, never edited, and a
 * mistaken statement (or a compromised service's) fails instead of rewriting it. The table's
 * owner can still disable the triggers: the hash chain is what catches that.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function es.refuse_history_change() returns trigger language plpgsql as $fn$
    begin
      raise exception 'es.events is append-only: % refused', tg_op
        using errcode = 'insufficient_privilege';
    end
    $fn$`.execute(db);
  await sql`
    create trigger events_append_only before update or delete on es.events
      for each row execute function es.refuse_history_change()`.execute(db);
  await sql`
    create trigger events_never_truncated before truncate on es.events
      for each statement execute function es.refuse_history_change()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger events_never_truncated on es.events`.execute(db);
  await sql`drop trigger events_append_only on es.events`.execute(db);
  await sql`drop function es.refuse_history_change()`.execute(db);
}
