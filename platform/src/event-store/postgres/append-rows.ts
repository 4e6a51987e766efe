import { FAILED_CHECK_SQLSTATE } from '../../db/failed-check.js';
import {
  appendBatch,
  type BatchCommand,
  type BatchOutcome,
  type BatchResult,
} from './append-batch.js';
import type { PgQueryable } from './pg-slice.js';

const UNIQUE_VIOLATION = '23505';

/*
 * The common batch as one set-based statement: every command writes one event to each of its
 * streams, each stream with an exact expected revision (or none yet) and in no other command of
 * the batch. That is what commands on aggregates send, and it needs no per-command decisions in
 * the database: the revisions follow from the expectations, positions from the log head, and
 * each link of the hash chain from the stream's last hash. So the batch is inserted as rows,
 * with no PL/pgSQL loop, and costs Postgres about half of es.append_batch's CPU.
 *
 * Anything that would need a decision makes the statement fail as a whole, and the caller
 * then sends the batch to es.append_batch, which decides per command: a stream not at its
 * expected revision (es.fail_unless raises FAILED_CHECK_SQLSTATE), an event id or idempotency key
 * already stored (a unique violation: a retry, a replay or a duplicate). Nothing of a failed
 * statement is written.
 *
 * Why the checks hold under concurrency: the log-head UPDATE waits for any other append to
 * commit and then sees its head. The stream rows are read in the statement's snapshot, which
 * may predate that commit, but a stream the other append moved fails the `moved` UPDATE's
 * recheck against the row's latest version (its revision), and a stream it created conflicts
 * on insert. Either way the statement refuses, so it never writes a link from a stale hash.
 */
const APPEND_ROWS = `
with
  ev as (
    select * from jsonb_to_recordset($1::jsonb) as x(
      n int, "eventId" uuid, "streamId" text, expected bigint, category text, type text,
      version int, data jsonb, metadata jsonb, "contentHash" text)
  ),
  head as (
    update es.log_head set position = position + $3::int
    returning position - $3::int as start
  ),
  linked as (
    select ev.*, ev.expected + 1 as revision, s.last_hash as prev,
           es.chain_link(s.last_hash, ev.expected + 1, ev."contentHash") as hash
      from ev left join es.streams s on s.stream_id = ev."streamId"
  ),
  written as (
    insert into es.events (position, event_id, stream_id, revision, category, tenant_id, type,
                           version, data, metadata, prev_hash, hash, recorded_at)
    select h.start + l.n, l."eventId", l."streamId", l.revision, l.category,
           l.metadata->>'tenantId', l.type, l.version, l.data, l.metadata, l.prev, l.hash,
           clock_timestamp()
      from linked l, head h
  ),
  moved as (
    update es.streams s
       set revision = l.revision, last_hash = l.hash, last_position = h.start + l.n
      from linked l, head h
     where l.expected >= 0 and s.stream_id = l."streamId"
       and s.revision = l.expected
    returning 1
  ),
  born as (
    insert into es.streams (stream_id, revision, last_hash, last_position)
    select l."streamId", l.revision, l.hash, h.start + l.n
      from linked l, head h
     where l.expected < 0
    on conflict (stream_id) do nothing
    returning 1
  ),
  keys as (
    insert into es.idempotency_keys (scope, key, request_hash, status, body, position)
    select k.scope, k.key, k."requestHash", k.status, k.body, h.start + k.n
      from jsonb_to_recordset($2::jsonb) as k(
             scope text, key text, "requestHash" text, status int, body jsonb, n int),
           head h
  )
select h.start::text as start,
       es.fail_unless((select count(*) from moved) + (select count(*) from born) = $3::int,
                      'append refused: a stream was not at its expected revision'),
       pg_notify('es_appended', (h.start + $3::int)::text)
  from head h`;

/** The batch flattened: one row per event, numbered from 1 in batch order. */
export interface AppendRows {
  readonly commands: readonly BatchCommand[];
  readonly events: string;
  readonly keys: string;
  readonly count: number;
}

/** The batch as rows, or null when a command in it needs es.append_batch's decisions. */
export function toAppendRows(commands: readonly BatchCommand[]): AppendRows | null {
  const seen = new Set<string>();
  const events: object[] = [];
  const keys: object[] = [];
  for (const command of commands) {
    if (command.streams.length === 0) return null;
    for (const stream of command.streams) {
      const event = stream.events[0];
      if (stream.events.length !== 1 || !event || seen.has(stream.streamId)) return null;
      const expected = stream.expected === 'no_stream' ? '-1' : stream.expected;
      if (expected !== '-1' && !/^\d{1,18}$/.test(expected)) return null;
      seen.add(stream.streamId);
      events.push({
        n: events.length + 1,
        eventId: event.eventId,
        streamId: stream.streamId,
        expected,
        category: stream.category,
        type: event.type,
        version: event.version,
        data: event.data,
        metadata: event.metadata,
        contentHash: event.contentHash,
      });
    }
    if (command.idempotency) keys.push({ ...command.idempotency, n: events.length });
  }
  return {
    commands,
    events: JSON.stringify(events),
    keys: JSON.stringify(keys),
    count: events.length,
  };
}

/** One round trip, one commit. Throws isAppendRefusal errors for es.append_batch to decide. */
export async function appendRows(db: PgQueryable, rows: AppendRows): Promise<BatchResult> {
  const result = await db.query<{ start: string }>({
    name: 'es_append_rows',
    text: APPEND_ROWS,
    values: [rows.events, rows.keys, rows.count],
  });
  const startText = result.rows[0]?.start;
  if (startText === undefined) throw new Error('es append rows: no head returned');
  const start = BigInt(startText);
  let n = 0n;
  const outcomes = rows.commands.map((command): BatchOutcome => {
    const streams = command.streams.map((stream) => {
      n += 1n;
      return {
        streamId: stream.streamId,
        revision: (stream.expected === 'no_stream' ? 0n : BigInt(stream.expected) + 1n).toString(),
        position: (start + n).toString(),
      };
    });
    return { kind: 'appended', streams, position: (start + n).toString() };
  });
  return { head: (start + n).toString(), written: rows.count, outcomes };
}

/** A refusal the set-based append leaves to es.append_batch: a moved stream, a stored id or key. */
export function isAppendRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === FAILED_CHECK_SQLSTATE || code === UNIQUE_VIOLATION;
}

/**
 * A group-commit batch: as rows when it qualifies and nothing refuses, else (or then) through
 * es.append_batch, which answers each command on its own.
 */
export async function appendCommands(
  db: PgQueryable,
  commands: readonly BatchCommand[],
  onRefused?: () => void,
): Promise<BatchResult> {
  const rows = toAppendRows(commands);
  if (rows) {
    try {
      return await appendRows(db, rows);
    } catch (error) {
      if (!isAppendRefusal(error)) throw error;
      onRefused?.();
    }
  }
  return appendBatch(db, commands);
}
