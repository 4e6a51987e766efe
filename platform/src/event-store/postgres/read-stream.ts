import type { ReadStreamOptions, RecordedEvent } from '../port.js';
import { EVENT_COLUMNS, type EventRow, toRecordedEvent } from './event-row.js';
import type { PgQueryable } from './pg-slice.js';

const MAX_BIGINT = '9223372036854775807';

/** Named, so each connection plans it once: aggregateStream runs it on every command. */
export async function readStream(
  db: PgQueryable,
  streamId: string,
  options: ReadStreamOptions = {},
): Promise<RecordedEvent[]> {
  const { rows } = await db.query<EventRow>({
    name: 'es_read_stream',
    text: `select ${EVENT_COLUMNS} from es.events
            where stream_id = $1 and revision >= $2 and revision <= $3
            order by revision limit $4`,
    values: [
      streamId,
      (options.fromRevision ?? 0n).toString(),
      options.toRevision?.toString() ?? MAX_BIGINT,
      options.maxCount ?? null,
    ],
  });
  return rows.map(toRecordedEvent);
}
