import { type Kysely, sql } from 'kysely';

/**
 * es.append_rows also turns JIT off for itself. With sequential scans off its plans cost over
 * 10^10, far past jit_above_cost, so a session that had not turned JIT off on its own (our
 * pools do, a plain client or psql does not) compiled the statement on every call: 500-750 ms
 * of CPU per append here, found when a test's writers called it on their own connections.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter function es.append_rows(jsonb, jsonb, int) set jit = off`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter function es.append_rows(jsonb, jsonb, int) reset jit`.execute(db);
}
