import type { JsonObject, RecordedEvent } from '../port.js';

/** The es.events columns the readers select; int8 arrives as text, so nothing is rounded. */
export interface EventRow {
  position: string;
  event_id: string;
  stream_id: string;
  revision: string;
  category: string;
  type: string;
  version: number;
  data: JsonObject;
  metadata: {
    tenantId: string;
    actor: string;
    correlationId: string;
    causationId: string | null;
    occurredAt: string;
  };
  prev_hash: string | null;
  hash: string;
  /** Already in Date#toISOString's form (see EVENT_COLUMNS). */
  recorded_at: string;
}

/**
 * recorded_at is printed by Postgres in Date#toISOString's form (UTC, milliseconds), not
 * parsed into a Date and printed again here: on a 200,000-event catch-up, where the relay and
 * the runner each read every row, pg's date parsing and toISOString were ~4% of the
 * projectors' main thread, which is what bounds the catch-up. Both truncate microseconds.
 */
export const EVENT_COLUMNS = `position, event_id, stream_id, revision, category, type, version, data, metadata,
  prev_hash, hash,
  to_char(recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as recorded_at`;

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    eventId: row.event_id,
    streamId: row.stream_id,
    category: row.category,
    revision: BigInt(row.revision),
    position: BigInt(row.position),
    type: row.type,
    version: row.version,
    data: row.data,
    metadata: {
      tenantId: row.metadata.tenantId,
      actor: row.metadata.actor,
      correlationId: row.metadata.correlationId,
      causationId: row.metadata.causationId,
      occurredAt: row.metadata.occurredAt,
      prevHash: row.prev_hash,
      hash: row.hash,
    },
    recordedAt: row.recorded_at,
  };
}
