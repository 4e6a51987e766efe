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
 * The common batch as one set-based statement (es.append_rows): every command writes one event
 * to each of its streams, each stream with an exact expected revision (or none yet) and in no
 * other command of the batch. That is what commands on aggregates send, and it needs no
 * per-command decisions in the database: the revisions follow from the expectations, positions
 * from the log head, and each link of the hash chain from the stream's last hash. So the batch
 * is inserted as rows, with no PL/pgSQL loop, and costs Postgres about half of
 * es.append_batch's CPU.
 *
 * Anything that would need a decision makes the statement fail as a whole, and the caller then
 * sends the batch to es.append_batch, which decides per command: a stream not at its expected
 * revision (FAILED_CHECK_SQLSTATE), an event id or idempotency key already stored (a unique
 * violation: a retry, a replay or a duplicate). Nothing of a failed statement is written.
 *
 * Why the checks hold under concurrency: the log-head UPDATE waits for any other append to
 * commit and then sees its head. The stream rows are read in the statement's snapshot, which
 * may predate that commit, but a stream the other append moved fails the `moved` UPDATE's
 * recheck against the row's latest version (its revision), and a stream it created conflicts
 * on insert. Either way the statement refuses, so it never writes a link from a stale hash.
 */

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
    text: 'select es.append_rows($1::jsonb, $2::jsonb, $3::int)::text as start',
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
