import { type Kysely, sql } from 'kysely';

/**
 * The hash chain's link, the same text as chainHash() in hash-chain.ts computes in JS: lets
 * SQL check that links follow one another (prev_hash to hash). Checking a link against its
 * event's content needs the canonical JSON, which only the JS side computes (jsonb's text is
 * not it). es.append_batch inlines the expression rather than call it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function es.chain_link(prev_hash text, revision bigint, content_hash text)
    returns text language sql immutable parallel safe as $$
      select encode(
        sha256(convert_to(coalesce(prev_hash, '') || '|' || revision::text || '|' || content_hash, 'UTF8')),
        'hex')
    $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function es.chain_link(text, bigint, text)`.execute(db);
}
