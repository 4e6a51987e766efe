import { type Kysely, sql } from 'kysely';

/**
 * es.log_head is the single row every append locks first: it hands out positions in commit
 * order, which is what makes the log gap-free (see postgres-event-store.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table es.events (
      position bigint primary key,
      event_id uuid not null unique,
      stream_id text not null,
      revision bigint not null,
      category text not null,
      tenant_id text not null,
      type text not null,
      version int not null,
      data jsonb not null,
      metadata jsonb not null,
      prev_hash text,
      hash text not null,
      recorded_at timestamptz not null default clock_timestamp(),
      unique (stream_id, revision)
    )`.execute(db);
  // Tenant-filtered subscriptions (audit, SSE, per-tenant projections) scan by this.
  await sql`create index events_tenant_position on es.events (tenant_id, position)`.execute(db);
  await sql`
    create table es.streams (
      stream_id text primary key,
      revision bigint not null,
      last_hash text not null,
      last_position bigint not null
    )`.execute(db);
  await sql`
    create table es.log_head (
      only_row boolean primary key default true check (only_row),
      position bigint not null
    )`.execute(db);
  await sql`insert into es.log_head (only_row, position) values (true, 0)`.execute(db);
  await sql`
    create table es.idempotency_keys (
      scope text not null,
      key text not null,
      request_hash text not null,
      status int not null,
      body jsonb not null,
      position bigint,
      created_at timestamptz not null default now(),
      primary key (scope, key)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table es.idempotency_keys, es.log_head, es.streams, es.events`.execute(db);
}
